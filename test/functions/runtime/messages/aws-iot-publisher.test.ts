// The send path of AsyncAPI steps on MQTT channels on AWS (functions/runtime/messages/publish-message.ts):
// the real @aws-sdk/client-iot-data-plane client against a loopback TEST DOUBLE of IoT Core's data
// plane Publish (test/support/iot-data-stand-in.ts), reading what arrived on the wire.
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../../core/errors.js';
import type { MqttTransport } from '../../../../core/plan.js';
import { AwsMessagePublisher } from '../../../../functions/runtime/messages/publish-message.js';
import { IOT_MAX_PAYLOAD_BYTES, startIotDataStandIn, type IotDataStandIn } from '../../../support/iot-data-stand-in.js';
import { STAND_IN_CLIENT_CONFIG } from '../../../infra/cdk/support/aws-stand-in.js';

const LAMP = 'smartylighting/streetlights/1/0/action/lamp-7/turn/on';
const STATUS = 'smartylighting/streetlights/1/0/status/lamp-7';
/** What the construct puts in ARAZZO_CHANNEL_TARGETS for an MQTT channel: the topic itself. */
const TARGETS = { [`mqtt:${LAMP}`]: LAMP, [`mqtt:${STATUS}`]: STATUS };

const turnOn: MqttTransport = { kind: 'mqtt', topic: LAMP, qos: 1, retain: false, headers: ['x-correlation-id'] };
const status: MqttTransport = { kind: 'mqtt', topic: STATUS, qos: 0, retain: true, headers: [] };

let iot: IotDataStandIn;
let client: IoTDataPlaneClient;
/** A client with the SDK's default retries (standard mode, three attempts), pointed at the stand-in. */
const makeClient = (config: { maxAttempts?: number; endpoint?: string } = {}) => new IoTDataPlaneClient({ ...STAND_IN_CLIENT_CONFIG, endpoint: iot.url, ...config });
const publisher = (iotData: IoTDataPlaneClient = client) => new AwsMessagePublisher(TARGETS, { iotData });
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: Error) => err);

beforeAll(async () => {
  iot = await startIotDataStandIn();
});
afterAll(() => iot.close());
beforeEach(() => {
  iot.calls.length = 0;
  iot.fault = undefined;
  client = makeClient();
});
afterEach(() => client.destroy());

describe('AwsMessagePublisher on MQTT channels, with the real IoT data-plane client', () => {
  it('publishes on the topic with the channel QoS and retain flag, the JSON payload, its content type and each header as an MQTT 5 user property, signed for iotdata', async () => {
    await publisher().publish(turnOn, { headers: { 'x-correlation-id': 'c-17', 'x-trace': 't-1' }, payload: { lumens: 800, at: '2026-12-06T10:00:00Z' } }, { contentType: 'application/json' });
    const [call] = iot.calls;
    expect(call).toMatchObject({ topic: LAMP, qos: 1, retain: false, contentType: 'application/json', payloadFormatIndicator: 'UTF8_DATA', signingService: 'iotdata' });
    expect(call.payload.toString('utf8')).toBe('{"lumens":800,"at":"2026-12-06T10:00:00Z"}');
    // The API wants the JSON of an array of one-key objects, base64 in x-amz-mqtt5-user-properties: the stand-in decoded both layers.
    expect(call.userProperties).toEqual([{ 'x-correlation-id': 'c-17' }, { 'x-trace': 't-1' }]);
  });

  it('sets RETAIN on a retained channel, sends no user properties header for a message without headers, and sends a text/* string as its text', async () => {
    await publisher().publish(status, { headers: {}, payload: 'on' }, { contentType: 'text/plain' });
    const [call] = iot.calls;
    expect(call).toMatchObject({ topic: STATUS, qos: 0, retain: true, contentType: 'text/plain', userProperties: undefined });
    expect(call.payload.toString('utf8')).toBe('on');
    // Without a content type the payload is JSON and says so; a string payload then is a JSON string.
    await publisher().publish(status, { headers: {}, payload: 'on' });
    expect(iot.calls[1]).toMatchObject({ contentType: 'application/json' });
    expect(iot.calls[1].payload.toString('utf8')).toBe('"on"');
  });

  it('rides out throttling within the SDK retries (three attempts), then names it Arazzo.ProviderUnavailable; a 5xx is ProviderUnavailable too', async () => {
    iot.fault = { code: 'ThrottlingException', status: 429, times: 2 };
    await publisher().publish(turnOn, { headers: {}, payload: { lumens: 1 } });
    expect(iot.calls).toHaveLength(3);
    iot.calls.length = 0;
    iot.fault = { code: 'ThrottlingException', status: 429 };
    const throttled = await failure(publisher().publish(turnOn, { headers: {}, payload: { lumens: 1 } }));
    expect(throttled).toMatchObject({ name: ErrorCodes.ProviderUnavailable, retryable: true, message: expect.stringContaining('ThrottlingException, HTTP 429') });
    expect(iot.calls).toHaveLength(3);
    iot.fault = { code: 'ServiceUnavailableException', status: 503 };
    const unavailable = await failure(publisher(makeClient({ maxAttempts: 1 })).publish(turnOn, { headers: {}, payload: {} }));
    expect(unavailable).toMatchObject({ name: ErrorCodes.ProviderUnavailable, message: expect.stringContaining('ServiceUnavailableException, HTTP 503') });
  }, 20_000);

  it('names a refusal a repeat would meet again Arazzo.MessageRefused, at once: denied (403), unauthorized (401), a payload over 128 KB (413)', async () => {
    for (const [code, status] of [['ForbiddenException', 403], ['UnauthorizedException', 401]] as const) {
      iot.calls.length = 0;
      iot.fault = { code, status };
      const refused = await failure(publisher().publish(turnOn, { headers: {}, payload: {} }));
      expect(refused).toMatchObject({ name: ErrorCodes.MessageRefused, retryable: false, message: expect.stringContaining(`${code}, HTTP ${status}`) });
      expect(iot.calls).toHaveLength(1);
    }
    iot.fault = undefined;
    const tooLarge = await failure(publisher().publish(turnOn, { headers: {}, payload: { blob: 'x'.repeat(IOT_MAX_PAYLOAD_BYTES) } }));
    expect(tooLarge).toMatchObject({ name: ErrorCodes.MessageRefused, message: expect.stringContaining('RequestEntityTooLargeException, HTTP 413') });
    // The message names the topic and the code, never the message.
    expect((tooLarge as Error).message).not.toContain('xxxx');
  });

  it('names an unreachable data endpoint Arazzo.ProviderUnavailable, and a topic the construct did not configure Arazzo.Plan', async () => {
    const closed = await startIotDataStandIn();
    await closed.close();
    const gone = makeClient({ endpoint: closed.url, maxAttempts: 1 });
    expect(await failure(publisher(gone).publish(turnOn, { headers: {}, payload: {} }))).toMatchObject({ name: ErrorCodes.ProviderUnavailable });
    gone.destroy();
    const elsewhere: MqttTransport = { ...turnOn, topic: 'another/topic' };
    expect(await failure(publisher().publish(elsewhere, { headers: {}, payload: {} }))).toMatchObject({ name: ErrorCodes.Plan, message: expect.stringContaining('mqtt:another/topic') });
    expect(iot.calls).toHaveLength(0);
  });
});

describe('the IoT data endpoint the construct configures (ARAZZO_IOT_DATA_ENDPOINT)', () => {
  const AWS_ENV = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_EC2_METADATA_DISABLED'];
  const saved = new Map(AWS_ENV.map((name) => [name, process.env[name]]));
  beforeAll(() => {
    for (const name of AWS_ENV) delete process.env[name];
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: STAND_IN_CLIENT_CONFIG.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: STAND_IN_CLIENT_CONFIG.credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });
  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('publishes through a client it creates for the configured endpoint, and nowhere else', async () => {
    await new AwsMessagePublisher(TARGETS, { iotDataEndpoint: iot.url }).publish(turnOn, { headers: { 'x-correlation-id': 'c-18' }, payload: { lumens: 2 } });
    expect(iot.calls.map((c) => [c.topic, c.signingService, c.userProperties])).toEqual([[LAMP, 'iotdata', [{ 'x-correlation-id': 'c-18' }]]]);
  });

  it('refuses by name, before any call, an endpoint that is missing, not a URL, or not https (plain http is for loopback stand-ins only)', async () => {
    for (const [endpoint, why] of [
      [undefined, 'no AWS IoT Core data endpoint was configured (ARAZZO_IOT_DATA_ENDPOINT)'],
      ['', 'no AWS IoT Core data endpoint was configured'],
      ['https://', 'ARAZZO_IOT_DATA_ENDPOINT is not a URL'],
      ['http://a1b2c3-ats.iot.eu-west-1.amazonaws.com', 'must be an https URL'],
    ] as const) {
      const err = await failure(new AwsMessagePublisher(TARGETS, endpoint === undefined ? {} : { iotDataEndpoint: endpoint }).publish(turnOn, { headers: {}, payload: {} }));
      expect(err).toMatchObject({ name: ErrorCodes.Plan, retryable: false, message: expect.stringContaining(why) });
    }
    expect(iot.calls).toHaveLength(0);
  });
});
