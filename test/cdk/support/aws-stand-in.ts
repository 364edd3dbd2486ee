import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call as the stand-in received it: the JSON protocol's target and body. */
export interface AwsCall {
  readonly target: string;
  readonly body: Record<string, unknown>;
  /** Whether the request carried a SigV4 Authorization header (as the real SDK sends). */
  readonly signed: boolean;
}

export interface AwsStandIn {
  readonly url: string;
  readonly calls: readonly AwsCall[];
  /** Secrets by id: an ARN or a name, as GetSecretValue's SecretId. */
  readonly secrets: Map<string, string | Uint8Array>;
  /** Targets (e.g. `secretsmanager.GetSecretValue`) that answer an error instead, with their `__type`. */
  readonly failing: Map<string, string>;
  callsTo(target: string): AwsCall[];
  close(): Promise<void>;
}

/**
 * A loopback stand-in for the two AWS APIs the Lambda runtime calls, speaking their JSON 1.1
 * protocol so the real SDK clients run unchanged against it (endpoint overridden):
 * Secrets Manager `GetSecretValue`, and KMS `GenerateDataKey` / `Decrypt`. Its data keys are
 * wrapped with a key of its own, bound to the key id and the encryption context, so a Decrypt
 * with another context fails as KMS's does (InvalidCiphertextException).
 */
export async function startAwsStandIn(): Promise<AwsStandIn> {
  const calls: AwsCall[] = [];
  const secrets = new Map<string, string | Uint8Array>();
  const failing = new Map<string, string>();
  const master = randomBytes(32);
  const aad = (keyId: unknown, context: unknown) => Buffer.from(JSON.stringify([keyId, context ?? {}]));

  const answer = (target: string, body: Record<string, any>): [number, Record<string, unknown>] => {
    const failure = failing.get(target);
    if (failure) return [400, { __type: failure, message: `${failure} (stand-in)` }];
    switch (target) {
      case 'secretsmanager.GetSecretValue': {
        const value = secrets.get(body.SecretId);
        if (value === undefined) return [400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }];
        return [200, { ARN: body.SecretId, Name: String(body.SecretId).split(':').pop(), VersionId: 'v1', ...(typeof value === 'string' ? { SecretString: value } : { SecretBinary: Buffer.from(value).toString('base64') }) }];
      }
      case 'TrentService.GenerateDataKey': {
        const plaintext = randomBytes(body.KeySpec === 'AES_128' ? 16 : 32);
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', master, iv);
        cipher.setAAD(aad(body.KeyId, body.EncryptionContext));
        const wrapped = Buffer.concat([iv, Buffer.concat([cipher.update(plaintext), cipher.final()]), cipher.getAuthTag()]);
        return [200, { KeyId: body.KeyId, Plaintext: plaintext.toString('base64'), CiphertextBlob: wrapped.toString('base64') }];
      }
      case 'TrentService.Decrypt': {
        const blob = Buffer.from(String(body.CiphertextBlob), 'base64');
        try {
          const decipher = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12));
          decipher.setAAD(aad(body.KeyId, body.EncryptionContext));
          decipher.setAuthTag(blob.subarray(blob.length - 16));
          const plaintext = Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
          return [200, { KeyId: body.KeyId, Plaintext: plaintext.toString('base64') }];
        } catch {
          return [400, { __type: 'InvalidCiphertextException', message: '' }];
        }
      }
      default:
        return [400, { __type: 'UnknownOperationException', message: `the stand-in does not implement ${target}` }];
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        // answered as an unknown operation below
      }
      calls.push({ target, body, signed: /^AWS4-HMAC-SHA256 /.test(String(req.headers.authorization ?? '')) });
      const [status, payload] = answer(target, body);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomBytes(8).toString('hex') });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    secrets,
    failing,
    callsTo: (target) => calls.filter((c) => c.target === target),
    close: () =>
      new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK keeps connections alive; they would hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** Static credentials and region for SDK clients pointed at the stand-in: nothing leaves the machine. */
export const STAND_IN_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIASTANDIN', secretAccessKey: 'stand-in-secret' },
} as const;
