import { isCredentialName } from '../../../core/credential-names.js';
import { secretForms } from '../secrets/secret-forms.js';

/** How much of a provider's answer a failed step's cause and log line quote, in UTF-8 bytes. */
export const PROVIDER_ANSWER_LIMIT_BYTES = 512;

const REDACTED = '[redacted]';

function redactMembers(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 16) return value;
  if (Array.isArray(value)) return value.map((v) => redactMembers(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isCredentialName(k) && v !== null && v !== '' ? REDACTED : redactMembers(v, depth + 1)]));
}

/** The longest prefix of `text` that fits in `limit` UTF-8 bytes, never cutting a character in two. */
function truncateUtf8(text: string, limit: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return text;
  let end = limit;
  // Back off continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString('utf8')}… (${bytes.length} bytes)`;
}

/**
 * What a provider answered, as a failed step quotes it in its cause and log line: members
 * named like credentials (`access_token`, `client_secret`, …), bearer and basic credentials,
 * and every credential the step opened are replaced by "[redacted]", and the text is cut to
 * PROVIDER_ANSWER_LIMIT_BYTES. Undefined when the answer had no body.
 */
export function providerAnswerExcerpt(body: unknown, opened: readonly string[], limit = PROVIDER_ANSWER_LIMIT_BYTES): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  let text =
    typeof body === 'string'
      ? body
      : Buffer.isBuffer(body) || body instanceof Uint8Array
        ? `<${body.byteLength} bytes of binary>`
        : JSON.stringify(redactMembers(body));
  text = text.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`);
  // Every form the secret can take once quoted (JSON-escaped in a JSON body, percent- or
  // form-encoded, base64 in a Basic header), longest first, so a form that contains another is
  // replaced whole.
  const forms = opened.filter((s) => s.length >= 4).flatMap((s) => secretForms(s));
  for (const form of [...new Set(forms)].sort((a, b) => b.length - a.length)) text = text.split(form).join(REDACTED);
  // One line: a cause and a log line are read line by line.
  return truncateUtf8(text.replace(/\s*\r?\n\s*/g, ' ').trim(), limit);
}
