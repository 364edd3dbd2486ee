/**
 * A loopback KMS stand-in for the signing benchmark: a test double, not KMS. It answers `Sign`
 * and `GetPublicKey` in KMS's JSON 1.1 protocol, so the real @aws-sdk/client-kms (SigV4, retries,
 * serialisation) runs unchanged against it, and holds its private keys as KMS does. It runs in
 * the sandbox's process, so the signatures it makes are not billed to the client being timed;
 * `latencyMs` stands for the network and HSM time of a real in-region `kms:Sign`.
 */
import { constants, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface KmsStandIn {
  readonly url: string;
  close(): Promise<void>;
}

/** Key ids the stand-in holds: one key per KMS key spec the benchmark signs with. */
export const KMS_STAND_IN_KEYS = { rsa: 'bench-rsa-2048', p256: 'bench-ecc-nist-p256', ed25519: 'bench-ecc-ed25519' } as const;

const ALGORITHMS: Readonly<Record<string, (key: KeyObject, message: Buffer) => Buffer>> = {
  RSASSA_PKCS1_V1_5_SHA_256: (key, m) => sign('sha256', m, { key, padding: constants.RSA_PKCS1_PADDING }),
  RSASSA_PSS_SHA_512: (key, m) => sign('sha512', m, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }),
  // KMS answers ECDSA as DER; KmsSigningKeys converts it to r‖s.
  ECDSA_SHA_256: (key, m) => sign('sha256', m, key),
  ED25519_SHA_512: (key, m) => sign(null, m, key),
};

export async function startKmsStandIn(latencyMs: number): Promise<KmsStandIn> {
  const keys = new Map<string, KeyObject>([
    [KMS_STAND_IN_KEYS.rsa, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
    [KMS_STAND_IN_KEYS.p256, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey],
    [KMS_STAND_IN_KEYS.ed25519, generateKeyPairSync('ed25519').privateKey],
  ]);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const reply = (status: number, body: object) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return reply(400, { __type: 'SerializationException' });
      }
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) return reply(400, { __type: 'MissingAuthenticationTokenException' });
      const key = keys.get(String(body.KeyId));
      if (!key) return reply(400, { __type: 'NotFoundException', message: `Key '${String(body.KeyId)}' does not exist` });
      if (latencyMs) await sleep(latencyMs);
      switch (req.headers['x-amz-target']) {
        case 'TrentService.Sign': {
          const algorithm = ALGORITHMS[String(body.SigningAlgorithm)];
          if (!algorithm || body.MessageType !== 'RAW') return reply(400, { __type: 'ValidationException' });
          const signature = algorithm(key, Buffer.from(String(body.Message), 'base64'));
          return reply(200, { KeyId: body.KeyId, Signature: signature.toString('base64'), SigningAlgorithm: body.SigningAlgorithm });
        }
        case 'TrentService.GetPublicKey':
          return reply(200, {
            KeyId: body.KeyId,
            KeyUsage: 'SIGN_VERIFY',
            PublicKey: createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64'),
          });
        default:
          return reply(400, { __type: 'UnknownOperationException' });
      }
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
