import type { PublishCommandInput } from '@aws-sdk/client-iot-data-plane';
import { planError } from '../../../core/errors.js';
import type { MqttTransport } from '../../../core/plan.js';
import type { ReceivedMessage } from '../callbacks/callback-store.js';
import { mqttPayloadText } from './mqtt-messages.js';

/**
 * The IoT Core data plane's Publish for a send step's message on an MQTT channel: the topic, the
 * channel's QoS and retain flag, the payload (its JSON, or the text itself when the content type
 * is `text/*` and the payload a string, as the receiver reads it back), the content type, and each
 * header as an MQTT 5 user property. The API takes the user properties as the JSON of an array of
 * one-key objects (`[{"x-order-id":"o-17"}]`); the SDK base64-encodes it into the
 * `x-amz-mqtt5-user-properties` header.
 * @see https://docs.aws.amazon.com/iot/latest/apireference/API_iotdata_Publish.html
 */
export function iotPublishInput(topic: string, transport: MqttTransport, message: ReceivedMessage, contentType: string | undefined): PublishCommandInput {
  const headers = Object.entries(message.headers);
  return {
    topic,
    qos: transport.qos,
    retain: transport.retain,
    payload: Buffer.from(mqttPayloadText(message.payload, contentType), 'utf8'),
    // What is sent is always text (JSON, or a text/* string): subscribers may read it as UTF-8.
    payloadFormatIndicator: 'UTF8_DATA',
    contentType: contentType ?? 'application/json',
    ...(headers.length ? { userProperties: JSON.stringify(headers.map(([name, value]) => ({ [name]: value }))) } : {}),
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The account's IoT Core data endpoint (`iot:Data-ATS`) as the construct resolved it (an https
 * URL; plain http only on loopback, for a stand-in). Anything else is refused by name before a
 * call: the SDK's default endpoint is not necessarily the account's, so a guess would publish
 * somewhere the receive steps' topic rules never see.
 */
export function iotDataEndpoint(configured: string | undefined, where: string, variable: string): string {
  if (!configured) throw planError(`${where}: no AWS IoT Core data endpoint was configured (${variable}), so the message is not published`);
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    throw planError(`${where}: ${variable} is not a URL, so the message is not published`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw planError(`${where}: ${variable} must be an https URL (the account's iot:Data-ATS endpoint), so the message is not published`);
  }
  return url.origin;
}
