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
