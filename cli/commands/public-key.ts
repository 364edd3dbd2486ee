import { KMSClient } from '@aws-sdk/client-kms';
import { fetchSigningPublicKey, formatSigningPublicKey, SigningPublicKeyError } from '../../functions/runtime/signing/signing-public-key.js';
import { awsClientOptions } from '../aws-endpoint.js';
import { ExitCodes, UsageError } from '../cli-error.js';

export const publicKeyHelp = `Usage: arazzo-sfn public-key <key-arn|key-id|alias/name> [--format pem|jwk] [--kid <id>]
                            [--region <region>] [--endpoint-url <url>]

Prints the public key of a KMS signing key (KMS GetPublicKey), for registering with the provider
that verifies the workflow's signed requests. ArazzoWorkflow outputs the ARN of each signing key it
creates as SigningKey<name>Arn. The private key never leaves KMS.

  --format pem|jwk       PEM SubjectPublicKeyInfo (default), or a JWK with use "sig"
  --kid <id>             the JWK's kid (the keyId the provider knows the key by)
  --region <region>      default: the ARN's, else AWS_REGION or the SDK's configuration
  --endpoint-url <url>   a KMS endpoint other than the region's (e.g. a local one)

Credentials come from the AWS SDK's usual chain (environment, profile, role); the caller needs
kms:GetPublicKey on the key. Exit 0 when printed, 1 when KMS refused, 2 on bad arguments.`;

export interface PublicKeyOptions {
  readonly format?: string;
  readonly kid?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
}

export async function runPublicKey(keyId: string, options: PublicKeyOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const format = options.format ?? 'pem';
  if (format !== 'pem' && format !== 'jwk') throw new UsageError(`--format expects pem or jwk, got "${format}"`);
  if (!/^(arn:[^:]+:kms:[^:]+:\d{12}:(key|alias)\/.+|alias\/.+|[A-Za-z0-9-]+)$/.test(keyId)) {
    throw new UsageError(`public-key expects a KMS key ARN, key id or alias/<name>, got "${keyId}"`);
  }
  const { client: clientOptions } = awsClientOptions(options.endpointUrl);
  const region = options.region ?? (keyId.startsWith('arn:') ? keyId.split(':')[3] : undefined) ?? process.env.AWS_REGION;
  const client = new KMSClient({ ...(region ? { region } : {}), ...clientOptions });
  try {
    const key = await fetchSigningPublicKey(client, keyId);
    out.write(formatSigningPublicKey(key, format, options.kid));
    err.write(`${key.keyArn}: ${key.keySpec ?? 'key'}, signs with ${key.signingAlgorithms.join(', ') || 'unknown algorithms'}\n`);
    return ExitCodes.ok;
  } catch (e) {
    if (!(e instanceof SigningPublicKeyError)) throw e;
    err.write(`arazzo-sfn: ${e.message}\n`);
    return ExitCodes.executionFailed;
  } finally {
    client.destroy();
  }
}
