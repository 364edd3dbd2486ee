import type { ChannelBinding, ChannelTransport } from '../../core/plan.js';
import type { Diagnostic, DiagnosticKind } from '../diagnostics/index.js';
import type { AsyncApiChannel, AsyncApiOperation, LoadedAsyncApi } from '../load/load-asyncapi.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import type { OpenApiOperation } from '../load/load-openapi.js';
import { decodePointer, diagnosticAt } from '../load/parse-yaml-source.js';
import type { ArazzoStep } from '../validate/arazzo-schema.js';
import { bindMqttChannel, MQTT_PROTOCOLS } from './bind-mqtt-channel.js';
import type { BoundOperation } from './bind-operation.js';
import { qualifiedSource, sourceNames, sourcePath } from './source-reference.js';

/** A step bound to an AsyncAPI channel: the channel as the plan carries it, and where its messages carry their correlation id. */
export interface BoundChannel {
  readonly binding: ChannelBinding;
  readonly correlationLocation?: string;
  /** The content type of the channel's (first) message. */
  readonly contentType?: string;
  /** How many message types the operation (or else its channel) declares. */
  readonly messageTypes: number;
}

/** An SQS queue name (a FIFO queue's ends in `.fifo`). */
const SQS_QUEUE_NAME = /^(?:[A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\.fifo)$/;
/** An SNS topic name (a FIFO topic's ends in `.fifo`). */
const SNS_TOPIC_NAME = /^(?:[A-Za-z0-9_-]{1,256}|[A-Za-z0-9_-]{1,251}\.fifo)$/;

const isObject = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The AsyncAPI operations an `operationId` names (`$sourceDescriptions.<name>.<key>` or a bare key). */
function asyncOperationsNamed(loaded: LoadedArazzo, operationId: string): { source: string; asyncapi: LoadedAsyncApi; operation: AsyncApiOperation }[] {
  const qualified = qualifiedSource(operationId, sourceNames(loaded.document));
  return [...(loaded.asyncapis ?? new Map<string, LoadedAsyncApi>())].flatMap(([source, asyncapi]) => {
    if (qualified && qualified[1] !== source) return [];
    const key = qualified ? qualified[2] : operationId;
    return asyncapi.operations.filter((o) => o.operationId === key).map((operation) => ({ source, asyncapi, operation }));
  });
}

/**
 * Whether a step targets an AsyncAPI description: it has `channelPath` or `action`, or its
 * `operationId` names an operation of an `asyncapi` source (qualified, or found in no OpenAPI source).
 */
export function targetsChannel(loaded: LoadedArazzo, step: ArazzoStep): boolean {
  if (step.channelPath !== undefined || step.action !== undefined) return true;
  if (step.operationId === undefined || !loaded.asyncapis?.size) return false;
  const qualified = qualifiedSource(step.operationId, sourceNames(loaded.document));
  if (qualified) return loaded.asyncapis.has(qualified[1]);
  const inOpenApi = [...loaded.openapis.values()].some((o) => o.operations.some((op) => op.operationId === step.operationId));
  return !inOpenApi && asyncOperationsNamed(loaded, step.operationId).length > 0;
}

/** The first binding of a kind, the operation's before the channel's. */
function bindingOf(kind: string, ...maps: Readonly<Record<string, unknown>>[]): Record<string, any> | undefined {
  for (const map of maps) if (isObject(map[kind])) return map[kind] as Record<string, any>;
  return undefined;
}

/**
 * How messages leave or reach the channel, from its bindings (the operation's first): SQS, SNS,
 * EventBridge (`x-eventbridge`, AsyncAPI has no binding of its own for it), else HTTP to the
 * server URL plus the channel address when the server speaks HTTP or there is none, or MQTT (an
 * `mqtt` binding, or MQTT servers and no HTTP one). Anything else (Kafka, AMQP, WebSocket, ...) is
 * refused by name.
 */
function transportOf(asyncapi: LoadedAsyncApi, channel: AsyncApiChannel, operation: AsyncApiOperation | undefined, correlationLocation: string | undefined): ChannelTransport | string {
  // A FIFO channel's messages are grouped by their correlation id, where the message says it is.
  const fifoOrdering = correlationLocation ? { groupBy: correlationLocation } : {};
  const maps = [operation?.bindings ?? {}, channel.bindings];
  const sqs = bindingOf('sqs', ...maps);
  if (sqs) {
    const queue = isObject(sqs.queue) ? sqs.queue : Array.isArray(sqs.queues) && isObject(sqs.queues[0]) ? sqs.queues[0] : undefined;
    const name = queue?.name;
    if (typeof name !== 'string' || !name) return 'its sqs binding names no queue (queue.name)';
    // A URL or an ARN would hide another account or region: the construct finds the queue by name in its own (receiveQueues imports any other).
    if (!SQS_QUEUE_NAME.test(name)) return `its sqs binding's queue.name "${name}" is not an SQS queue name (letters, digits, - and _, at most 80, .fifo allowed; not a URL or ARN)`;
    // SQS requires a FIFO queue's name to end in .fifo; the binding may also say so.
    return { kind: 'sqs', queueName: name, ...(queue?.fifoQueue === true || name.endsWith('.fifo') ? { fifo: fifoOrdering } : {}) };
  }
  const sns = bindingOf('sns', ...maps);
  if (sns) {
    if (typeof sns.name !== 'string' || !sns.name) return 'its sns binding names no topic (name)';
    const fifo = (isObject(sns.ordering) && sns.ordering.type === 'FIFO') || sns.name.endsWith('.fifo');
    return { kind: 'sns', topicName: sns.name, ...(fifo ? { fifo: fifoOrdering } : {}) };
  }
  const eventBridge = bindingOf('x-eventbridge', ...maps);
  if (eventBridge) {
    if (typeof eventBridge.source !== 'string' || !eventBridge.source) return 'its x-eventbridge binding has no source';
    return {
      kind: 'eventbridge',
      eventBusName: typeof eventBridge.eventBusName === 'string' && eventBridge.eventBusName ? eventBridge.eventBusName : 'default',
      source: eventBridge.source,
      detailType: typeof eventBridge.detailType === 'string' && eventBridge.detailType ? eventBridge.detailType : channel.address,
    };
  }
  const http = bindingOf('http', ...maps);
  // MQTT (AWS IoT Core): an mqtt binding, a channel on MQTT servers only (its `servers`), or an MQTT server with no HTTP one; bindMqttChannel reads the rest.
  const onMqttServers = channel.serverProtocols !== undefined && channel.serverProtocols.every((p) => MQTT_PROTOCOLS.has(p));
  if (!http && (bindingOf('mqtt', ...maps) || onMqttServers || (!asyncapi.serverUrl && asyncapi.serverProtocols.some((p) => MQTT_PROTOCOLS.has(p)))))
    return { kind: 'mqtt', topic: channel.address, qos: 1, retain: false, headers: [] };
  const SPOKEN =
    'which arazzo-sfn neither sends on nor receives from (it speaks HTTP, SQS, SNS, EventBridge and MQTT): give the channel an http, sqs, sns, x-eventbridge or mqtt binding';
  const unspoken = [...new Set(maps.flatMap((m) => Object.keys(m)))].filter((k) => !k.startsWith('x-') && k !== 'http' && k !== 'mqtt');
  if (!http && unspoken.length) return `it is bound to ${unspoken.join(', ')}, ${SPOKEN}`;
  // An SQS server with no binding on the channel (as the AsyncAPI SQS binding allows: the queue is then the channel's address).
  if (!http && !asyncapi.serverUrl && asyncapi.serverProtocols.includes('sqs')) {
    return SQS_QUEUE_NAME.test(channel.address)
      ? { kind: 'sqs', queueName: channel.address, ...(channel.address.endsWith('.fifo') ? { fifo: fifoOrdering } : {}) }
      : `its server speaks sqs and it has no sqs binding, so its address names the queue, but "${channel.address}" is not an SQS queue name (letters, digits, - and _, at most 80, .fifo allowed)`;
  }
  // Likewise an SNS server: the topic is the channel's address (arazzo-examples' sns/ writes it so).
  if (!http && !asyncapi.serverUrl && asyncapi.serverProtocols.includes('sns')) {
    return SNS_TOPIC_NAME.test(channel.address)
      ? { kind: 'sns', topicName: channel.address, ...(channel.address.endsWith('.fifo') ? { fifo: fifoOrdering } : {}) }
      : `its server speaks sns and it has no sns binding, so its address names the topic, but "${channel.address}" is not an SNS topic name (letters, digits, - and _, at most 256, .fifo allowed)`;
  }
  if (http || !asyncapi.serverProtocols.length || asyncapi.serverUrl) {
    const method = typeof http?.method === 'string' ? http.method.toUpperCase() : 'POST';
    const address = channel.address.startsWith('/') || !asyncapi.serverUrl ? channel.address : `/${channel.address}`;
    return { kind: 'http', url: `${asyncapi.serverUrl}${address}`, method };
  }
  return `its servers speak ${asyncapi.serverProtocols.join(', ')}, ${SPOKEN}`;
}

/**
 * Binds an Arazzo 1.1 AsyncAPI step (`operationId` of an AsyncAPI operation, or `channelPath`)
 * to its channel. It also gives it the shape of an operation (method SEND or RECEIVE, or the
 * HTTP method of an HTTP send; path the channel address; its header parameters), so the
 * planner, the Lambda-per-operation wiring and the logs treat it as any other step.
 */
export function bindChannel(
  loaded: LoadedArazzo,
  step: ArazzoStep,
  sp: string,
  diagnostics: Diagnostic[],
): { operation: BoundOperation; channel: BoundChannel } | undefined {
  const at = (pointer: string, kind: 'unknownAsyncOperation' | 'asyncStep' | 'channelTransport', message: string) =>
    diagnostics.push(diagnosticAt(loaded.source, pointer, kind, message));
  const targets = [step.operationId, step.operationPath, step.workflowId, step.channelPath].filter((t) => t !== undefined);
  if (targets.length !== 1) {
    at(sp, 'asyncStep', `step "${step.stepId}" must have exactly one of operationId, channelPath, operationPath or workflowId (has ${targets.length})`);
    return undefined;
  }
  if (step.operationPath !== undefined || step.workflowId !== undefined) {
    at(
      `${sp}/action`,
      'asyncStep',
      `step "${step.stepId}": action belongs to a step that targets an AsyncAPI operation (operationId) or channel (channelPath)`,
    );
    return undefined;
  }
  let source: string;
  let asyncapi: LoadedAsyncApi;
  let channel: AsyncApiChannel;
  let operation: AsyncApiOperation | undefined;
  if (step.channelPath !== undefined) {
    const match = sourcePath(step.channelPath, sourceNames(loaded.document));
    const found = match ? loaded.asyncapis?.get(match[1]) : undefined;
    const tokens = match ? decodePointer(match[2]) : [];
    const ch = found && tokens.length === 2 && tokens[0] === 'channels' ? found.channels.find((c) => c.key === tokens[1]) : undefined;
    if (!match || !found || !ch) {
      at(
        `${sp}/channelPath`,
        'unknownAsyncOperation',
        `step "${step.stepId}": channelPath must look like {$sourceDescriptions.<name>.url}#/channels/<channel> and name a channel of an asyncapi source (${[...(loaded.asyncapis?.keys() ?? [])].join(', ') || 'none loaded'})`,
      );
      return undefined;
    }
    [source, asyncapi, channel] = [match[1], found, ch];
  } else {
    const candidates = asyncOperationsNamed(loaded, step.operationId!);
    if (candidates.length !== 1) {
      at(
        `${sp}/operationId`,
        'unknownAsyncOperation',
        candidates.length
          ? `step "${step.stepId}": operationId "${step.operationId}" is declared by asyncapi sources ${candidates.map((c) => c.source).join(' and ')}; qualify it as $sourceDescriptions.<name>.${step.operationId}`
          : `step "${step.stepId}": operationId "${step.operationId}" is not an operation of any asyncapi source (${[...(loaded.asyncapis?.keys() ?? [])].join(', ') || 'none loaded'})`,
      );
      return undefined;
    }
    ({ source, asyncapi, operation } = candidates[0]);
    channel = operation!.channel;
  }
  if (step.action === undefined) {
    at(
      step.channelPath !== undefined ? `${sp}/channelPath` : `${sp}/operationId`,
      'asyncStep',
      `step "${step.stepId}" targets AsyncAPI ${operation ? `operation "${operation.operationId}"` : `channel "${channel.key}"`}: say whether it sends or receives (action: send | receive)`,
    );
    return undefined;
  }
  (step.parameters ?? []).forEach((p, i) => {
    if ('in' in p && p.in !== undefined && p.in !== 'header')
      at(
        `${sp}/parameters/${i}/in`,
        'asyncStep',
        `step "${step.stepId}" ${step.action}s a message: its parameters are message headers (in: header), not ${p.in}`,
      );
  });
  if (step.action === 'receive' && step.requestBody)
    at(
      `${sp}/requestBody`,
      'asyncStep',
      `step "${step.stepId}" receives a message: a requestBody has nowhere to go (a send step's payload is its requestBody)`,
    );
  const messages = operation?.messages.length ? operation.messages : channel.messages;
  const correlationLocation = messages.find((m) => m.correlationLocation)?.correlationLocation;
  const targetPointer = step.channelPath !== undefined ? `${sp}/channelPath` : `${sp}/operationId`;
  let transport = transportOf(asyncapi, channel, operation, correlationLocation);
  if (typeof transport === 'string') {
    at(targetPointer, 'channelTransport', `step "${step.stepId}": channel "${channel.key}" cannot be used: ${transport}`);
    return undefined;
  }
  if (transport.kind === 'mqtt') {
    const report = (pointer: string, kind: DiagnosticKind, message: string, severity?: 'warning') => diagnostics.push(diagnosticAt(loaded.source, pointer, kind, message, severity));
    const mqtt = bindMqttChannel(asyncapi, channel.address, [operation?.bindings ?? {}, channel.bindings], messages, correlationLocation, step, sp, targetPointer, report);
    if (!mqtt) return undefined;
    transport = mqtt;
  }
  const contentType =
    messages.find((m) => m.contentType)?.contentType ?? (isObject(asyncapi.document.defaultContentType) ? undefined : asyncapi.document.defaultContentType);
  const method = step.action === 'receive' ? 'RECEIVE' : transport.kind === 'http' ? transport.method : 'SEND';
  const shape: OpenApiOperation = {
    ...(operation ? { operationId: operation.operationId } : {}),
    method,
    path: channel.address,
    pointer: operation?.pointer ?? channel.pointer,
    // A message's headers are what the step says they are: the description's header schema is the provider's to enforce.
    parameters: (step.parameters ?? []).flatMap((p) => ('in' in p && p.in === 'header' ? [{ name: String(p.name), in: 'header' as const }] : [])),
    ...(step.action === 'send' ? { requestBody: { content: { [contentType ?? 'application/json']: {} } } } : {}),
    responses: {},
  };
  return {
    operation: { source, serverUrl: asyncapi.serverUrl, operation: shape },
    channel: {
      binding: { action: step.action, source, channel: channel.key, address: channel.address, transport },
      ...(correlationLocation ? { correlationLocation } : {}),
      ...(contentType ? { contentType } : {}),
      messageTypes: messages.length,
    },
  };
}
