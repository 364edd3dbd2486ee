/** The application credentials a token request carries, from HTTP Basic and/or the form body. */
export interface ClientCredentials {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Two sources named different applications or secrets. */
  readonly conflicting: boolean;
}

function decodeBasic(authorization: string | undefined): { id: string; secret: string } | undefined {
  const encoded = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function agree(values: readonly (string | undefined)[]): { value?: string; conflicting: boolean } {
  const given = [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
  return { value: given[0], conflicting: given.length > 1 };
}

/**
 * The official SDKs send `app_id:app_secret` as HTTP Basic plus `app_id` in the body; seed 001
 * sends `client_id`/`client_secret` in the body. Both are accepted, and every source given must agree.
 */
export function readClientCredentials(authorization: string | undefined, body: Readonly<Record<string, unknown>>): ClientCredentials {
  const basic = decodeBasic(authorization);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const id = agree([basic?.id, str(body.client_id), str(body.app_id)]);
  const secret = agree([basic?.secret, str(body.client_secret)]);
  return { clientId: id.value, clientSecret: secret.value, conflicting: id.conflicting || secret.conflicting };
}
