import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { loadPrivateKey } from '../secrets/load-private-key.js';
import { secretError } from '../../../core/errors.js';
import { TlsAlertAgent } from './tls-alert-agent.js';

/** The PEM texts a mutualTLS step presents and trusts. */
export interface ClientCertificate {
  /** The client certificate, with its chain (QWAC issuers) after it. */
  readonly cert: string;
  /**
   * Its private key: PEM, or `{"key": "<PEM>", "passphrase": "..."}` for an encrypted one
   * (`loadPrivateKey`; Secrets Manager encrypts either at rest).
   */
  readonly key: string;
  /** CAs to trust for the server instead of Node's bundled roots (a bank's private PKI, a sandbox). */
  readonly ca?: string;
}

export interface ClientCertificateAgentsOptions {
  /** TCP and TLS handshake bound of a new connection, ms. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** How many certificates keep an agent (and its pooled connections) at once; the least recently used is closed. @default 8 */
  readonly maxAgents?: number;
}

/**
 * One agent per client certificate: connections that present it are pooled and reused across
 * steps and invocations of a warm container, and a rotated certificate (a new secret value, read
 * again after the secrets TTL) gets an agent of its own while the least recently used one is
 * closed once too many are kept. Agents are keyed by a SHA-256 digest of the PEM texts, never
 * the texts, and nothing here logs or throws them. Each is a `TlsAlertAgent`, so a refused
 * certificate fails the step by name instead of being retried as a reset.
 */
export class ClientCertificateAgents {
  private readonly agents = new Map<string, TlsAlertAgent>();
  private readonly connectTimeoutMs: number;
  private readonly maxAgents: number;

  constructor(options: ClientCertificateAgentsOptions = {}) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.maxAgents = options.maxAgents ?? 8;
  }

  /** The agent presenting `certificate`; throws `Arazzo.Secret` (naming `what`, not the PEM) when the texts are not a certificate and its key. */
  agentFor(certificate: ClientCertificate, what: string): TlsAlertAgent {
    const digest = createHash('sha256').update(JSON.stringify([certificate.cert, certificate.key, certificate.ca ?? null])).digest('hex');
    const found = this.agents.get(digest);
    if (found) {
      // Most recently used last: eviction takes the first.
      this.agents.delete(digest);
      this.agents.set(digest, found);
      return found;
    }
    const key = checkPair(certificate, what);
    // An encrypted key is opened once, here: the TLS context gets it in memory as unencrypted PKCS#8, never written anywhere.
    const agent = new TlsAlertAgent({
      tls: { cert: certificate.cert, key: key.export({ type: 'pkcs8', format: 'pem' }) as string, ...(certificate.ca ? { ca: certificate.ca } : {}) },
      connectTimeoutMs: this.connectTimeoutMs,
    });
    this.agents.set(digest, agent);
    while (this.agents.size > this.maxAgents) {
      const [oldest, evicted] = this.agents.entries().next().value!;
      this.agents.delete(oldest);
      // In-flight requests finish; the pool goes once they have.
      void evicted.close().catch(() => undefined);
    }
    return agent;
  }

  /** How many certificates have an agent now. */
  get size(): number {
    return this.agents.size;
  }

  /** Closes every agent and its connections. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }
}

/** Refuses texts that are not a PEM certificate and the private key of its public key, naming the secret's use only; returns the key. */
function checkPair(certificate: ClientCertificate, what: string): KeyObject {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificate.cert);
  } catch {
    throw secretError(`${what}: clientCert is not a PEM certificate`);
  }
  const key = loadPrivateKey(certificate.key, `${what}: clientKey`);
  if (!cert.checkPrivateKey(key)) throw secretError(`${what}: clientKey is not the private key of clientCert`);
  if (certificate.ca !== undefined) {
    try {
      new X509Certificate(certificate.ca);
    } catch {
      throw secretError(`${what}: caCert is not a PEM certificate`);
    }
  }
  return key;
}
