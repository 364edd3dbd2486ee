import type { MqttTransport } from '../../core/plan.js';
import { unquotableInIotSql } from '../../functions/runtime/messages/mqtt-messages.js';
import type { DiagnosticKind } from '../diagnostics/index.js';
import type { AsyncApiMessage, LoadedAsyncApi } from '../load/load-asyncapi.js';
import { decodePointer } from '../load/parse-yaml-source.js';
import type { ArazzoStep } from '../validate/arazzo-schema.js';

/** Server protocols that carry MQTT (AsyncAPI 3.0's protocol list; `mqtt5` as older descriptions write it). */
export const MQTT_PROTOCOLS: ReadonlySet<string> = new Set(['mqtt', 'secure-mqtt', 'mqtt5']);

/**
 * AWS IoT Core's limits on a topic, for a publish and for a rule's topic filter alike: at most 256
 * bytes of UTF-8 and at most 7 forward slashes (8 levels); topics that begin with `$` are reserved
 * for AWS IoT itself.
 * @see https://docs.aws.amazon.com/general/latest/gr/iot-core.html#message-broker-limits
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/reserved-topics.html
 * @see https://aws.github.io/aws-iot-device-sdk-js-v2/node/enums/mqtt5.ClientExtendedValidationAndFlowControl.html (the SDK's AwsIotCoreDefaults check the same two numbers)
 */
export const IOT_TOPIC_MAX_BYTES = 256;
export const IOT_TOPIC_MAX_SLASHES = 7;

type Report = (pointer: string, kind: DiagnosticKind, message: string, severity?: 'warning') => void;

const isObject = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Why AWS IoT Core cannot carry a channel address as one topic, or undefined when it can. */
function topicProblem(address: string): { kind: DiagnosticKind; why: string } | undefined {
  if (/\{[^}]*\}/.test(address))
    return {
      kind: 'mqttTopicParameters',
      why: 'its address has {parameters}, and a send or receive step gives no value for a channel parameter (the topic would be published or listened to literally)',
    };
  if (/[+#]/.test(address))
    return {
      kind: 'mqttTopicWildcard',
      why: 'its address has an MQTT wildcard (+ or #): a send cannot publish on a filter, and a receive listens on one concrete topic',
    };
  const bytes = Buffer.byteLength(address, 'utf8');
  if (bytes > IOT_TOPIC_MAX_BYTES) return { kind: 'mqttTopicLimit', why: `its topic is ${bytes} bytes long, and AWS IoT Core takes at most ${IOT_TOPIC_MAX_BYTES}` };
  if (address.startsWith('$')) return { kind: 'mqttTopicLimit', why: 'its topic begins with $, which AWS IoT Core reserves for its own topics' };
  const slashes = address.split('/').length - 1;
  if (slashes > IOT_TOPIC_MAX_SLASHES)
    return { kind: 'mqttTopicLimit', why: `its topic has ${slashes} forward slashes, and AWS IoT Core takes at most ${IOT_TOPIC_MAX_SLASHES} in a topic or a rule's topic filter` };
  const unquotable = unquotableInIotSql(address);
  if (unquotable) return { kind: 'mqttTopicLimit', why: `its topic cannot go into an AWS IoT rule: ${unquotable}` };
  return undefined;
}

/** The header a `$message.header#/<name>` location reads, or undefined for a payload location. */
function headerOfLocation(location: string | undefined): string | undefined {
  const match = location ? /^\$message\.header#(\/.*)$/.exec(location) : null;
  if (!match) return undefined;
  try {
    return decodePointer(match[1])[0];
  } catch {
    return undefined;
  }
}

/** The headers a receive step reads (`$message.header.<name>`) in its criteria, actions and outputs. */
function headersReadBy(step: ArazzoStep): string[] {
  const text = JSON.stringify([step.successCriteria, step.onSuccess, step.onFailure, step.outputs]);
  return [...text.matchAll(/\$message\.header\.([A-Za-z0-9!#$%&*+.^_|~-]+)/g)].map((m) => m[1].replace(/\.+$/, ''));
}

/**
 * Which MQTT version the description's MQTT servers speak: 3 when every one says `protocolVersion`
 * 3.x (MQTT 3.1.1 has no user properties), 5 when one says 5 or is an `mqtt5` server, undefined
 * when none says.
 */
export function mqttVersionOf(asyncapi: LoadedAsyncApi): 3 | 5 | undefined {
  const servers = asyncapi.servers.filter((s) => MQTT_PROTOCOLS.has(s.protocol));
  if (servers.some((s) => s.protocol === 'mqtt5' || /^5/.test(s.protocolVersion ?? ''))) return 5;
  if (servers.length && servers.every((s) => /^3/.test(s.protocolVersion ?? ''))) return 3;
  return undefined;
}

/**
 * An MQTT channel's transport (AWS IoT Core): the topic is the channel's address; QoS and retain
 * come from the operation's `mqtt` binding (MQTT binding 0.2.0; the channel's, which the binding
 * reserves, is read too); the headers are those its messages declare, its correlation location
 * reads, and the step sends or reads. What AWS IoT Core cannot carry is refused by name; what it
 * carries differently is compiled with a warning that says how.
 */
export function bindMqttChannel(
  asyncapi: LoadedAsyncApi,
  address: string,
  bindings: readonly Readonly<Record<string, unknown>>[],
  messages: readonly AsyncApiMessage[],
  correlationLocation: string | undefined,
  step: ArazzoStep,
  sp: string,
  targetPointer: string,
  report: Report,
): MqttTransport | undefined {
  const where = `step "${step.stepId}"`;
  const problem = topicProblem(address);
  if (problem) {
    report(targetPointer, problem.kind, `${where}: MQTT topic "${address}" cannot be used: ${problem.why}`);
    return undefined;
  }
  const binding = bindings.map((b) => b.mqtt).find(isObject) ?? {};
  let ok = true;
  let qos: 0 | 1 = 1;
  if (binding.qos !== undefined) {
    if (binding.qos !== 0 && binding.qos !== 1 && binding.qos !== 2) {
      report(targetPointer, 'mqttBinding', `${where}: the mqtt binding's qos must be 0, 1 or 2 (MQTT binding), not ${JSON.stringify(binding.qos)}`);
      ok = false;
    } else if (binding.qos === 2) {
      report(
        targetPointer,
        'mqttQos2',
        `${where}: the mqtt binding asks for QoS 2 (exactly once), which AWS IoT Core does not offer; it is compiled as QoS 1 (at least once). The workflow still sees each message once: a receive step is settled once, and a repeat of a message it took (the same payload) is answered as a duplicate and resumes nothing`,
        'warning',
      );
    } else qos = binding.qos;
  }
  if (binding.retain !== undefined && typeof binding.retain !== 'boolean') {
    report(targetPointer, 'mqttBinding', `${where}: the mqtt binding's retain must be a boolean, not ${JSON.stringify(binding.retain)}`);
    ok = false;
  }
  const sent = (step.parameters ?? []).flatMap((p) => ('in' in p && p.in === 'header' ? [String(p.name)] : []));
  const correlationHeader = headerOfLocation(correlationLocation);
  const read = step.action === 'receive' ? headersReadBy(step) : [];
  const headers = [...new Set([...messages.flatMap((m) => m.headerNames ?? []), ...(correlationHeader ? [correlationHeader] : []), ...sent, ...read])];
  for (const name of headers) {
    const why = unquotableInIotSql(name);
    if (why) {
      report(targetPointer, 'mqttHeaderName', `${where}: header "${name}" cannot travel as an MQTT 5 user property through an AWS IoT rule: ${why}`);
      ok = false;
    }
  }
  if (mqttVersionOf(asyncapi) === 3) {
    const version = 'the description\'s MQTT servers speak MQTT 3.1.1 (protocolVersion 3.x), which has no user properties';
    if (step.action === 'send' && sent.length)
      report(`${sp}/parameters`, 'mqttHeadersOn311', `${where} sends headers (${sent.join(', ')}), but ${version}: a 3.1.1 subscriber never sees them`, 'warning');
    if (step.action === 'receive' && step.correlationId !== undefined && correlationHeader !== undefined) {
      report(`${sp}/correlationId`, 'mqttCorrelationOn311', `${where} correlates on header "${correlationHeader}" (${correlationLocation}), but ${version}: no message can ever match`);
      ok = false;
    } else if (step.action === 'receive' && read.length)
      report(sp, 'mqttHeadersOn311', `${where} reads $message.header (${read.join(', ')}), but ${version}: those headers are always missing`, 'warning');
  }
  if (!ok) return undefined;
  return { kind: 'mqtt', topic: address, qos, retain: binding.retain === true, headers };
}
