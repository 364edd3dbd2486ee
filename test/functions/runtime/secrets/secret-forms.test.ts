import { describe, expect, it } from 'vitest';
import { carriesSecretForm } from '../../../../functions/runtime/secrets/index.js';

// A token with every character an encoder rewrites.
const TOKEN = 'tok "q" \\b/s+p a&b=c%d<e>\'f!(g)*é';

describe('carriesSecretForm: every form the runtime produces', () => {
  const query = new URLSearchParams({ key: TOKEN }).toString();
  it.each([
    ['plain', `Bearer ${TOKEN}`],
    ['JSON-escaped ($request.body as text)', JSON.stringify({ token: TOKEN })],
    ['JSON-escaped twice (that text inside an object output)', JSON.stringify({ body: JSON.stringify({ token: TOKEN }) })],
    ['percent-encoded path segment ($url)', `https://api.example/v1/${encodeURIComponent(TOKEN)}/x`],
    ['encodeURI', encodeURI(`https://api.example/?k=${TOKEN}`)],
    ['RFC 3986 strict', `k=${encodeURIComponent(TOKEN).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`],
    ['form-encoded ($url query, form body)', `https://api.example/pets?${query}`],
    ['lower-case percent escapes', encodeURIComponent(TOKEN).toLowerCase()],
    ['form-encoded inside JSON', JSON.stringify({ url: `https://api.example/pets?${query}` })],
    ['XML-escaped', `<token>${TOKEN.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')}</token>`],
    ['base64 at offset 0 (Basic with an empty user)', Buffer.from(`:${TOKEN}`).toString('base64')],
    ['Basic user:secret, user of 1 byte', `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`],
    ['Basic user:secret, user of 2 bytes', `Basic ${Buffer.from(`us:${TOKEN}`).toString('base64')}`],
    ['Basic user:secret, user of 3 bytes', `Basic ${Buffer.from(`usr:${TOKEN}`).toString('base64')}`],
    ['base64url', Buffer.from(`client:${TOKEN}`).toString('base64url')],
  ])('%s', (_form, text) => {
    expect(carriesSecretForm(text, [TOKEN])).toBe(true);
  });

  it('finds nothing in a text without the secret', () => {
    expect(carriesSecretForm(JSON.stringify({ url: 'https://api.example/pets?key=other', auth: Buffer.from('u:other').toString('base64') }), [TOKEN])).toBe(false);
  });
});
