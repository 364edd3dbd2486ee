import type { MqttTransport } from '../../../core/plan.js';
import type { ReceivedMessage } from '../callbacks/callback-store.js';
import { parseCallbackBody } from '../callbacks/parse-callback-body.js';

/**
 * The AWS IoT SQL version `iotRuleSql` is written for: object literals (`{'k': v}`) and the MQTT 5
 * functions (`get_mqtt_property`, `get_user_properties`) need 2016-03-23.
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-literals.html
 */
export const IOT_SQL_VERSION = '2016-03-23';

/** What `eventSource` says in an MQTT rule event, as `aws:sqs` does in an SQS record. */
export const MQTT_EVENT_SOURCE = 'aws:iot';

/**
 * An MQTT message as the topic rule `iotRuleSql` builds hands it to the broker receiver (the rule's
 * Lambda action passes the SELECT result as the event, asynchronously), and as the local broker
 * delivers it. A field the rule's function finds Undefined (no content type, a user property the
 * publisher left out) is absent, as AWS IoT leaves Undefined out of the result.
 */
export interface MqttRuleEvent {
  readonly eventSource: typeof MQTT_EVENT_SOURCE;
  /** The topic the message was published on (`topic()`): which channel. */
  readonly topic: string;
  /** The payload's bytes, base64 (`encode(*, 'base64')`): a payload that is not JSON cannot break the rule. */
  readonly payload?: string;
  /** The MQTT 5 Content Type (`get_mqtt_property('content_type')`). */
  readonly contentType?: string;
  /**
   * The named user properties, each the array `get_user_properties('<name>')` returns: MQTT 5 lets a
   * publisher repeat a key, so AWS IoT returns every value of it, in the order sent.
   */
  readonly userProperties?: Readonly<Record<string, readonly string[]>>;
  /** When the rule ran (`timestamp()`, ms since the epoch). */
  readonly timestamp?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether a Lambda event is one an MQTT topic rule of arazzo-sfn (or the local broker) sent. */
export function isMqttRuleEvent(event: unknown): event is MqttRuleEvent {
  return isObject(event) && event.eventSource === MQTT_EVENT_SOURCE && typeof event.topic === 'string';
}

// AWS IoT SQL quotes string literals in single quotes and documents no escape inside them, so a
// name is taken only when it needs none: no quote of any kind, backslash or control character.
const UNQUOTABLE = /['"`\\\u0000-\u001f\u007f]/;

/** Why a header name or topic cannot be written into a rule's SQL, or undefined when it can. */
export function unquotableInIotSql(text: string): string | undefined {
  if (!text) return 'it is empty';
  const bad = UNQUOTABLE.exec(text);
  if (!bad) return undefined;
  const shown = bad[0] < ' ' || bad[0] === '\u007f' ? `U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}` : bad[0];
  return `it contains ${shown}, which AWS IoT SQL cannot quote (its string literals are single-quoted, with no documented escape)`;
}

/**
 * The SQL of the topic rule that carries a receive channel's messages to the broker receiver
 * (version IOT_SQL_VERSION): the topic, the payload as base64 whatever it is (a Lambda action cannot
 * take a binary payload, and `*` mixed with other fields works only for JSON), the MQTT 5 content
 * type, and the named user properties. `get_user_properties('<name>')` returns an array of that
 * key's values (MQTT 5 allows a key more than once); the receiver takes the first
 * (messageOfMqttRuleEvent). Throws on a topic or name the compiler refuses (ASFN1175).
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/binary-payloads.html
 */
export function iotRuleSql(topic: string, headers: readonly string[]): string {
  for (const text of [topic, ...headers]) {
    const why = unquotableInIotSql(text);
    if (why) throw new TypeError(`cannot write "${text}" into an AWS IoT rule: ${why}`);
  }
  const names = [...new Set(headers)];
  const fields = [
    `'${MQTT_EVENT_SOURCE}' AS eventSource`,
    'topic() AS topic',
    "encode(*, 'base64') AS payload",
    "get_mqtt_property('content_type') AS contentType",
    ...(names.length ? [`{${names.map((n) => `'${n}': get_user_properties('${n}')`).join(', ')}} AS userProperties`] : []),
    'timestamp() AS timestamp',
  ];
  return `SELECT ${fields.join(', ')} FROM '${topic}'`;
}

/**
 * The user property name a send step's header goes as on an MQTT channel: the channel's own
 * spelling of it when the AsyncAPI message declares the header (`transport.headers` lists the
 * description's names first), else the step's. Arazzo reads header names case-insensitively (its
 * Parameter Object cites RFC 9110), while MQTT 5 user property names, and an IoT rule's
 * `get_user_properties('<name>')`, match exactly: `gameid` sent for a declared `gameId` would reach
 * no subscriber that reads `gameId`.
 */
export function mqttUserPropertyName(transport: Pick<MqttTransport, 'headers'>, name: string): string {
  const lower = name.toLowerCase();
  return transport.headers.find((h) => h.toLowerCase() === lower) ?? name;
}

/** What a payload reads as: JSON unless its content type says text (`text/*`), which reads as its string. */
const isText = (contentType: string | undefined) => /^text\//i.test((contentType ?? '').trim());

/** The text an MQTT message's payload is sent as: the string itself under a `text/*` content type, else its JSON (what the receiver reads back). */
export function mqttPayloadText(payload: unknown, contentType: string | undefined): string {
  return isText(contentType) && typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
}

/**
 * An MQTT rule event as a receive step reads it: the user properties are the headers (names
 * lower-cased, as the SQS and HTTP receivers have them; the first value of a repeated key, the one
 * its publisher sent first), the payload JSON, or the text of a `text/*` content type. A payload
 * that is neither is undefined: it can never be judged, so the receiver drops it by name, as it does
 * an SQS body that is not JSON.
 */
export function messageOfMqttRuleEvent(event: MqttRuleEvent): ReceivedMessage | undefined {
  const raw = Buffer.from(typeof event.payload === 'string' ? event.payload : '', 'base64');
  let payload: unknown;
  if (isText(event.contentType)) payload = raw.toString('utf8');
  else {
    const parsed = parseCallbackBody(raw, 'application/json');
    if (!parsed.ok) return undefined;
    payload = parsed.body;
  }
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(isObject(event.userProperties) ? event.userProperties : {})) {
    const first = Array.isArray(values) ? values.find((v) => typeof v === 'string') : typeof values === 'string' ? values : undefined;
    if (first !== undefined && !(name.toLowerCase() in headers)) headers[name.toLowerCase()] = first;
  }
  return { headers, payload };
}

/**
 * The rule event the local broker delivers for a message published on a topic: what the rule would
 * select from it. A payload of bytes (a Uint8Array: a device that publishes binary) goes as those
 * bytes; anything else as the text a send publishes (mqttPayloadText).
 */
export function mqttRuleEventOf(topic: string, headers: readonly string[], message: ReceivedMessage, contentType?: string, at = Date.now()): MqttRuleEvent {
  const carried = new Set(headers.map((h) => h.toLowerCase()));
  const userProperties: Record<string, string[]> = {};
  // Only the names the rule selects reach the receiver, as on AWS.
  for (const [name, value] of Object.entries(message.headers)) if (carried.has(name.toLowerCase())) userProperties[name] = [value];
  const bytes = message.payload instanceof Uint8Array ? Buffer.from(message.payload) : Buffer.from(mqttPayloadText(message.payload, contentType), 'utf8');
  return {
    eventSource: MQTT_EVENT_SOURCE,
    topic,
    payload: bytes.toString('base64'),
    ...(contentType ? { contentType } : {}),
    ...(Object.keys(userProperties).length ? { userProperties } : {}),
    timestamp: at,
  };
}
