/**
 * The forms in which a credential can reach a value the handler returns: the runtime itself
 * percent-encodes it into `$url` and `$request.query`, form-encodes it into a form body,
 * escapes it into an XML body, JSON-escapes it into `$request.body` (and again when that text
 * sits inside an object output), and a header may carry it base64-encoded (HTTP Basic: the
 * credential after `user:`). A text match on the plain value alone misses all of these.
 */

/** RFC 3986 unreserved characters only (encodeURIComponent leaves `!'()*` as they are). */
const strictPercentEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const formEncode = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const jsonEscape = (s: string) => JSON.stringify(s).slice(1, -1);

/** Shorter base64 runs than this are not looked for: they would match unrelated text. */
const MIN_BASE64_CORE = 6;

/**
 * The base64 characters that depend on the secret's bytes alone, for each of the three
 * alignments it can have inside a longer encoded text (`user:secret` in a Basic header).
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const begin = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const core = encoded.slice(begin, end);
    if (core.length >= MIN_BASE64_CORE) cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

// A warm handler checks the same few credentials on every call.
const formsCache = new Map<string, string[]>();
const FORMS_CACHE_LIMIT = 100;

/** Every form of `secret` to look for, de-duplicated. */
export function secretForms(secret: string): string[] {
  const cached = formsCache.get(secret);
  if (cached) return cached;
  const encoded = [secret, encodeURIComponent(secret), encodeURI(secret), strictPercentEncode(secret), formEncode(secret), xmlEscape(secret)];
  // Lower-case percent escapes: a server or a URL parser may rewrite them.
  encoded.push(...encoded.filter((s) => s.includes('%')).map((s) => s.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())));
  // JSON-escaped once (`$request.body` as text) and twice (that text inside an object output).
  const forms = encoded.flatMap((s) => [s, jsonEscape(s), jsonEscape(jsonEscape(s))]);
  forms.push(...base64Cores(secret));
  const unique = [...new Set(forms)];
  if (formsCache.size >= FORMS_CACHE_LIMIT) formsCache.clear();
  formsCache.set(secret, unique);
  return unique;
}

/** Whether `text` carries any of `secrets` in any form the runtime produces. */
export function carriesSecretForm(text: string, secrets: readonly string[]): boolean {
  return secrets.some((secret) => secretForms(secret).some((form) => text.includes(form)));
}
