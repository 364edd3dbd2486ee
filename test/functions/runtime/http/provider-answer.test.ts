import { describe, expect, it } from 'vitest';
import { PROVIDER_ANSWER_LIMIT_BYTES, providerAnswerExcerpt } from '../../../../functions/runtime/http/provider-answer.js';

describe("providerAnswerExcerpt: what a failed step quotes of the provider's answer", () => {
  it('a JSON error body is quoted on one line, as JSON', () => {
    expect(providerAnswerExcerpt({ code: 'invalid_request', errors: [{ detail: 'email' }] }, [])).toBe(
      '{"code":"invalid_request","errors":[{"detail":"email"}]}',
    );
    expect(providerAnswerExcerpt('Bad\n  request\r\n', [])).toBe('Bad request');
  });

  it('no body, no quote', () => {
    for (const body of [undefined, null, '']) expect(providerAnswerExcerpt(body, [])).toBeUndefined();
  });

  it('members named like credentials, bearer/basic credentials and the secrets the step opened are redacted', () => {
    const opened = ['s3cr3t-client-value', 'tok'];
    const body = {
      error: 'invalid_client',
      client_secret: 'whatever',
      nested: { access_token: 'abc', expires_in: 10 },
      echo: 'got s3cr3t-client-value',
      auth: 'Bearer eyJhbGciOi.x-y_z',
    };
    const text = providerAnswerExcerpt(body, opened)!;
    expect(text).toBe(
      '{"error":"invalid_client","client_secret":"[redacted]","nested":{"access_token":"[redacted]","expires_in":10},"echo":"got [redacted]","auth":"Bearer [redacted]"}',
    );
    // A secret shorter than 4 characters is not searched for (it would redact ordinary words).
    expect(providerAnswerExcerpt('token tok', ['tok'])).toBe('token tok');
    expect(providerAnswerExcerpt('<p>Basic dXNlcjpwYXNz</p>', [])).toBe('<p>Basic [redacted]</p>');
  });

  it('an opened secret is redacted in the forms quoting gives it: JSON-escaped, percent- and form-encoded', () => {
    const secret = 'pw "1" \\2 &3+4';
    const body = { error: `rejected ${secret}`, url: `/login?p=${encodeURIComponent(secret)}`, form: new URLSearchParams({ p: secret }).toString() };
    const excerpt = providerAnswerExcerpt(body, [secret])!;
    expect(excerpt).toContain('rejected [redacted]');
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2)]) {
      expect(excerpt).not.toContain(form);
    }
  });

  it(`is cut at ${PROVIDER_ANSWER_LIMIT_BYTES} UTF-8 bytes, never inside a character, and says how long the answer was`, () => {
    const long = 'é'.repeat(600);
    const text = providerAnswerExcerpt(long, [])!;
    expect(text).toBe(`${'é'.repeat(256)}… (1200 bytes)`);
    const ascii = providerAnswerExcerpt('x'.repeat(513), [])!;
    expect(ascii).toBe(`${'x'.repeat(512)}… (513 bytes)`);
    expect(providerAnswerExcerpt('x'.repeat(512), [])).toBe('x'.repeat(512));
  });

  it('a binary body is described, not quoted', () => {
    expect(providerAnswerExcerpt(Buffer.from([0, 1, 2]), [])).toBe('<3 bytes of binary>');
  });
});
