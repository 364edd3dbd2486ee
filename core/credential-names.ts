/** Names that hold a credential: inputs, outputs and response members (`access_token`, `clientSecret`, ...). */
const CREDENTIAL_NAME = /(token|secret|password|passwd|passphrase|api[-_]?key|credential|client[-_]?id|private[-_]?key|authorization)$/i;
/** Expiry or type fields of a token are not secrets. */
const NOT_CREDENTIAL = /(expires?[-_]?in|expir(y|ation)|token[-_]?type|type)$/i;

export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name) && !NOT_CREDENTIAL.test(name);
}

/**
 * Whether an object or array holds a member with a credential's name (a whole token response
 * stored as one output): such a value is sealed like a credential output.
 */
export function holdsCredentialMember(value: unknown, depth = 0): boolean {
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => holdsCredentialMember(v, depth + 1));
  return Object.entries(value).some(([k, v]) => (isCredentialName(k) && v !== null && v !== '') || holdsCredentialMember(v, depth + 1));
}

/**
 * Where a credential input sits: its name for a top-level input, or the names from the top
 * down joined by `.` for a member of an object input (`auth.accessToken`). A `~` or `.` inside
 * a name is written `~0` or `~1` (as JSON pointer escapes `~` and `/`), so the path reads back.
 */
export function joinCredentialPath(names: readonly string[]): string {
  return names.map((n) => n.replace(/~/g, '~0').replace(/\./g, '~1')).join('.');
}

export function splitCredentialPath(path: string): string[] {
  return path.split('.').map((n) => n.replace(/~1/g, '.').replace(/~0/g, '~'));
}

/** The value at a credential path of the inputs, or undefined. */
export function getAtCredentialPath(inputs: unknown, path: string): unknown {
  let node = inputs;
  for (const name of splitCredentialPath(path)) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, name)) return undefined;
    node = (node as Record<string, unknown>)[name];
  }
  return node;
}

/** A copy of the inputs with `value` at an existing credential path (the objects on the way copied, the rest shared). */
export function setAtCredentialPath(inputs: Readonly<Record<string, unknown>>, path: string, value: unknown): Record<string, unknown> {
  const [name, ...rest] = splitCredentialPath(path);
  const copy = { ...inputs };
  copy[name] = rest.length ? setAtCredentialPath(copy[name] as Record<string, unknown>, joinCredentialPath(rest), value) : value;
  return copy;
}

/**
 * The `x-security` values (Respect's names) that carry a credential: never a literal in the
 * document, opened only inside the handler, redacted and sealed like any credential.
 */
export const AUTH_CREDENTIAL_VALUES: ReadonlySet<string> = new Set([
  'apiKey',
  'password',
  'token',
  'accessToken',
  'clientSecret',
  // mutualTLS (Respect's names): the PEM texts come from secrets, so they rotate without a redeploy and never sit in the bundle.
  'clientCert',
  'clientKey',
  'caCert',
]);
