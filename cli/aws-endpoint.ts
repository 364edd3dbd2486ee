import { UsageError } from './cli-error.js';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The configuration an AWS SDK client of a CLI command takes from `--endpoint-url`: the endpoint
 * (an http(s) URL, else a usage error naming the flag), two attempts and bounded timeouts, and
 * placeholder credentials for a loopback endpoint when none are configured (a local endpoint
 * takes any signature; without credentials the SDK would refuse to sign at all).
 */
export function awsClientOptions(endpointUrl: string | undefined): {
  endpoint?: URL;
  client: {
    maxAttempts: number;
    requestHandler: { connectionTimeout: number; requestTimeout: number };
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  };
} {
  let endpoint: URL | undefined;
  if (endpointUrl !== undefined) {
    try {
      endpoint = new URL(endpointUrl);
    } catch {
      throw new UsageError(`--endpoint-url expects an http(s) URL, got "${endpointUrl}"`);
    }
    if (!/^https?:$/.test(endpoint.protocol)) throw new UsageError(`--endpoint-url expects an http(s) URL, got "${endpointUrl}"`);
  }
  const unsignedLocal =
    endpoint && LOOPBACK.test(endpoint.hostname) && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {};
  return {
    ...(endpoint ? { endpoint } : {}),
    client: {
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
      ...(endpoint ? { endpoint: endpoint.toString() } : {}),
      ...unsignedLocal,
    },
  };
}
