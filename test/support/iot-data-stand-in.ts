// TEST DOUBLE: a loopback stand-in for the AWS IoT Core data plane's Publish, speaking its REST
// protocol as the AWS SDK v3 client (@aws-sdk/client-iot-data-plane) sends it, so the real client
// runs unchanged against it (endpoint overridden, static credentials). It is not a broker: it
// records what it was given and answers as IoT Core answers.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Publish as the stand-in received it, decoded from the wire. */
export interface IotPublishCall {
  /** The topic, from the request path (`/topics/{topic}`, percent-decoded). */
  readonly topic: string;
  /** The `qos` query parameter as a number, undefined when the request left it out (IoT's default: 0). */
  readonly qos: number | undefined;
  /** The `retain` query parameter, undefined when left out (IoT's default: false). */
  readonly retain: boolean | undefined;
  readonly contentType: string | undefined;
  /** The request body: the MQTT payload's bytes. */
  readonly payload: Buffer;
  /** `x-amz-mqtt5-user-properties` decoded (base64, then JSON): an array of one-key objects, as IoT Core takes them. */
  readonly userProperties: Record<string, string>[] | undefined;
  readonly payloadFormatIndicator: string | undefined;
  /** The SigV4 credential scope's service, which must be `iotdata` for IoT Core to accept the signature. */
  readonly signingService: string | undefined;
}

/** An error the stand-in answers instead of taking a Publish, `times` times. */
export interface IotInjectedFault {
  /** IoT's error type (`ThrottlingException`, `ForbiddenException`, ...), sent as `x-amzn-ErrorType`. */
  readonly code: string;
  readonly status: number;
  /** @default Infinity */
  times?: number;
}

export interface IotDataStandIn {
  readonly url: string;
  readonly calls: IotPublishCall[];
  /** Answered instead of the next Publish calls while it has `times` left. */
  fault: IotInjectedFault | undefined;
  close(): Promise<void>;
}

/** IoT Core's largest message: 128 KB of payload (AWS IoT Core message broker quotas). */
export const IOT_MAX_PAYLOAD_BYTES = 128 * 1024;

class Refusal extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function decodeUserProperties(header: string | undefined): Record<string, string>[] | undefined {
  if (header === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    throw new Refusal('InvalidRequestException', 400, 'x-amz-mqtt5-user-properties is not base64-encoded JSON');
  }
  const valid = Array.isArray(parsed) && parsed.every((p) => p !== null && typeof p === 'object' && !Array.isArray(p) && Object.values(p).every((v) => typeof v === 'string'));
  if (!valid) throw new Refusal('InvalidRequestException', 400, 'x-amz-mqtt5-user-properties must be a JSON array of objects of strings');
  return parsed as Record<string, string>[];
}

export async function startIotDataStandIn(): Promise<IotDataStandIn> {
  const calls: IotPublishCall[] = [];
  const standIn: IotDataStandIn = { url: '', calls, fault: undefined, close: async () => undefined };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestId = randomUUID();
      const answer = (status: number, body: Record<string, unknown>, errorType?: string) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
        res.end(JSON.stringify(body));
      };
      try {
        const url = new URL(req.url ?? '/', 'http://stand-in');
        const path = /^\/topics\/([^/]+)$/.exec(url.pathname);
        if (req.method !== 'POST' || !path) throw new Refusal('MethodNotAllowedException', 405, `the stand-in implements only POST /topics/{topic}, not ${req.method} ${url.pathname}`);
        const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
        const header = (name: string) => (req.headers[name] === undefined ? undefined : String(req.headers[name]));
        const qos = url.searchParams.get('qos');
        const retain = url.searchParams.get('retain');
        const call: IotPublishCall = {
          topic: decodeURIComponent(path[1]),
          qos: qos === null ? undefined : Number(qos),
          retain: retain === null ? undefined : retain === 'true',
          contentType: url.searchParams.get('contentType') ?? undefined,
          payload: Buffer.concat(chunks),
          userProperties: decodeUserProperties(header('x-amz-mqtt5-user-properties')),
          payloadFormatIndicator: header('x-amz-mqtt5-payload-format-indicator'),
          signingService: scope?.[1],
        };
        calls.push(call);
        const fault = standIn.fault;
        if (fault && (fault.times ?? Infinity) > 0) {
          if (fault.times !== undefined) fault.times--;
          throw new Refusal(fault.code, fault.status, `${fault.code} (stand-in)`);
        }
        if (call.signingService !== 'iotdata') throw new Refusal('ForbiddenException', 403, 'the request is not signed for the iotdata service');
        // IoT Core takes QoS 0 and 1 only: QoS 2 is not supported.
        if (call.qos !== undefined && call.qos !== 0 && call.qos !== 1) throw new Refusal('InvalidRequestException', 400, `qos ${call.qos} is not supported`);
        if (call.payload.length > IOT_MAX_PAYLOAD_BYTES) throw new Refusal('RequestEntityTooLargeException', 413, 'The payload exceeds the maximum size allowed');
        if (/[+#]/.test(call.topic) || call.topic.startsWith('$')) throw new Refusal('InvalidRequestException', 400, 'a topic to publish on has no wildcard and is not reserved');
        answer(200, {});
      } catch (err) {
        const r = err instanceof Refusal ? err : new Refusal('InternalFailureException', 500, (err as Error).message);
        answer(r.status, { message: r.message }, r.code);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(standIn, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK keeps connections alive; they would hold close() open.
        server.closeAllConnections();
      }),
  });
}
