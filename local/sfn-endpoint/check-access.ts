import { timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { SfnError } from './errors.js';

export interface AccessOptions {
  /** The address the endpoint listens on (`--host`): its name is accepted as a Host besides loopback names. */
  readonly host?: string;
  /** When set, every request must be signed with this access key id (SigV4 `Credential=<token>/...`). */
  readonly token?: string;
}

/** `Host` without its port and without the `sync-` prefix the SDK puts before StartSyncExecution's host. */
function hostName(header: string): string {
  let host = header.trim().toLowerCase();
  if (host.startsWith('sync-')) host = host.slice('sync-'.length);
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

const isLoopback = (name: string) => name === 'localhost' || name === '[::1]' || (isIPv4(name) && name.startsWith('127.'));

/** `--host` as a Host header would name it (an IPv6 address in brackets). */
const asHostName = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host).toLowerCase();

/** The access key id of a SigV4 Authorization header (`AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/<service>/aws4_request, ...`). */
function accessKeyId(authorization: string | undefined): string | undefined {
  return /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

const sameText = (a: string, b: string) => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Who may call the endpoint. A page the user visits can make the browser send requests to
 * loopback under a name it controls (DNS rebinding): only loopback Host names, or the name the
 * endpoint was told to listen on, are served; anything else is refused with 403. AWS CLIs and
 * SDKs sign with SigV4 and cannot send a bearer token, so the optional token is the access key id
 * of the request's credential. Neither check echoes what the request sent.
 */
export function checkAccess(headers: IncomingHttpHeaders, options: AccessOptions): SfnError | undefined {
  const name = hostName(String(headers.host ?? ''));
  const allowed = isLoopback(name) || (options.host !== undefined && name === asHostName(options.host));
  if (!name || !allowed) {
    return new SfnError('AccessDeniedException', 'This Host is not served: the endpoint answers loopback names (localhost, 127.0.0.0/8, [::1]) and the address it listens on', 403);
  }
  if (options.token !== undefined) {
    const id = accessKeyId(headers.authorization);
    if (id === undefined || !sameText(id, options.token)) {
      return new SfnError('UnrecognizedClientException', 'The security token included in the request is invalid: sign with the endpoint token as the access key id', 403);
    }
  }
  return undefined;
}
