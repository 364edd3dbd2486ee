import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';

/** OpenSSL's error codes for an alert the peer sent, e.g. `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`. */
const PEER_ALERT = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)$/;

/** "certificate required", "unknown ca", "bad certificate", ... as RFC 8446 §6.2 names the alert behind an OpenSSL error code. */
export function describeTlsAlert(code: string | undefined): string | undefined {
  const alert = code ? PEER_ALERT.exec(code)?.[1] : undefined;
  return alert ? alert.toLowerCase().replace(/_/g, ' ') : undefined;
}

export interface TlsAlertAgentOptions {
  /** What the connections present and trust: `cert`, `key`, `ca` (PEM). @default - no client certificate, Node's roots */
  readonly tls?: Pick<ConnectionOptions, 'cert' | 'key' | 'ca'>;
  /** TCP and TLS handshake bound of a new connection, ms. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** How long an idle pooled connection is kept, ms. @default undici's (4 s) */
  readonly keepAliveTimeoutMs?: number;
}

/** Alerts kept at most: one per connection that got one, read once. */
const ALERTS_KEPT = 64;

/**
 * An undici Agent that remembers the TLS alert a server sent on each connection. Under TLS 1.3 a
 * server checks the client certificate after the client has finished its half of the handshake,
 * so undici reports a refused (or missing) certificate as a socket the other side closed, which
 * reads like any reset and would be retried. `refusal` turns that error back into what happened
 * ("certificate required", "unknown ca"), and the handler fails the step as `Arazzo.AuthFailed`.
 */
export class TlsAlertAgent extends Agent {
  private readonly alerts: Map<number, string>;

  constructor(options: TlsAlertAgentOptions = {}) {
    const alerts = new Map<number, string>();
    const connect = buildConnector({ ...options.tls, timeout: options.connectTimeoutMs ?? 5_000 });
    const presentsCertificate = options.tls?.cert !== undefined;
    super({
      ...(options.keepAliveTimeoutMs !== undefined ? { keepAliveTimeout: options.keepAliveTimeoutMs } : {}),
      connect: (opts, callback) =>
        connect(opts, (err, socket) => {
          const tls = socket as TLSSocket | null;
          // Attached before undici's own listeners, so the alert is known when undici reports the closed socket.
          const port = tls?.localPort;
          const record = (what: string) => {
            if (port === undefined || alerts.has(port)) return;
            if (alerts.size >= ALERTS_KEPT) alerts.delete(alerts.keys().next().value!);
            alerts.set(port, what);
          };
          tls?.on('error', (error: NodeJS.ErrnoException) => {
            const alert = describeTlsAlert(error.code);
            if (alert !== undefined) record(`the server refused the TLS handshake (alert: ${alert})`);
          });
          // Some servers (Node's own among them) drop a connection whose certificate they do not
          // trust without an alert: a new connection that presented one and is closed before a
          // single byte of answer has, most likely, been refused for it. A connection that has
          // answered before (a reused one) reads as a plain reset and is retried.
          if (presentsCertificate)
            tls?.once('end', () => {
              if (tls.bytesRead === 0) record('the server closed the new TLS connection before answering anything, right after the client certificate was presented: it most likely refused the certificate');
            });
          callback(err as Error, socket as never);
        }),
    });
    this.alerts = alerts;
  }

  /** What the server refused, as a phrase: the alert of `err` itself, or what was recorded for the connection undici names (its local port). */
  refusal(err: unknown): string | undefined {
    const e = err as { code?: string; socket?: { localPort?: number }; cause?: { code?: string } } | undefined;
    const direct = describeTlsAlert(e?.code) ?? describeTlsAlert(e?.cause?.code);
    if (direct) return `the server refused the TLS handshake (alert: ${direct})`;
    const port = e?.socket?.localPort;
    if (port === undefined) return undefined;
    const alert = this.alerts.get(port);
    this.alerts.delete(port);
    return alert;
  }
}
