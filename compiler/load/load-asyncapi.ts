import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/index.js';
import { createDocumentReader, type DocumentReader } from './document-reader.js';
import { readDescription } from './dereference-description.js';
import { encodePointer, type YamlSource } from './parse-yaml-source.js';

/** A message an AsyncAPI channel or operation declares (after `$ref` resolution). */
export interface AsyncApiMessage {
  /** Its key in the channel's `messages` (or `#/components/messages`). */
  readonly name: string;
  /** Where a message carries its correlation id (`$message.header#/id`), from its Correlation ID Object. */
  readonly correlationLocation?: string;
  /** Its `contentType`, else its MQTT binding's (bindings.mqtt.contentType, MQTT binding 0.2.0). */
  readonly contentType?: string;
  /** The properties its `headers` schema names (MQTT 5 user properties on an MQTT channel). */
  readonly headerNames?: readonly string[];
}

/** A server of the description, as far as the channels' transports read it. */
export interface AsyncApiServer {
  /** `protocol`, lower-case (`https`, `sqs`, `mqtt`, `secure-mqtt`, ...). */
  readonly protocol: string;
  /** `protocolVersion` as written (`3.1.1`, `5`), when given. */
  readonly protocolVersion?: string;
}

export interface AsyncApiChannel {
  /** Its key in `channels`. */
  readonly key: string;
  /** `/channels/<key>`. */
  readonly pointer: string;
  /** The channel's `address` (null in AsyncAPI means unknown or dynamic; then the key stands in). */
  readonly address: string;
  /** The channel's bindings merged under the operation's (`http`, `sqs`, `sns`, `x-eventbridge`, ...). */
  readonly bindings: Readonly<Record<string, unknown>>;
  readonly messages: readonly AsyncApiMessage[];
  /** The protocols of the servers its `servers` names, lower-case; absent when it names none (then it is on every server, AsyncAPI 3.0). */
  readonly serverProtocols?: readonly string[];
}

export interface AsyncApiOperation {
  /** Its key in `operations` (AsyncAPI 3.0 operations are identified by their key). */
  readonly operationId: string;
  /** `/operations/<key>`. */
  readonly pointer: string;
  readonly action: 'send' | 'receive';
  readonly channel: AsyncApiChannel;
  /** The operation's own bindings (an http `method`, ...). */
  readonly bindings: Readonly<Record<string, unknown>>;
  /** The operation's messages, or the channel's when it lists none. */
  readonly messages: readonly AsyncApiMessage[];
}

/** An AsyncAPI 3.0 description with positions (`source`) and `$ref`s resolved (`document`). */
export interface LoadedAsyncApi {
  readonly source: YamlSource;
  readonly document: Record<string, any>;
  readonly channels: readonly AsyncApiChannel[];
  readonly operations: readonly AsyncApiOperation[];
  /** The first HTTP(S) server as a URL (`<protocol>://<host><pathname>`), '' when there is none. */
  readonly serverUrl: string;
  /** The protocols of its servers (`http`, `https`, `kafka`, `sqs`, ...), lower-case. */
  readonly serverProtocols: readonly string[];
  /** Its servers, in order. */
  readonly servers: readonly AsyncApiServer[];
  readonly files: readonly string[];
}

const isObject = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Where the raw document's `channel: { $ref: '#/channels/x' }` points: the channel key. */
function channelKeyOfRef(ref: unknown): string | undefined {
  const match = typeof ref === 'string' ? /^#\/channels\/([^/]+)$/.exec(ref) : null;
  return match ? match[1].replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
}

function messagesOf(map: unknown, problems: string[], where: string): AsyncApiMessage[] {
  if (map === undefined) return [];
  const entries: [string, unknown][] = Array.isArray(map) ? map.map((m, i) => [String(i), m]) : isObject(map) ? Object.entries(map) : [];
  if (!Array.isArray(map) && !isObject(map)) problems.push(`${where}: messages must be a map or a list of Message Objects`);
  return entries.flatMap(([name, m]) => {
    if (!isObject(m)) {
      problems.push(`${where}.${name}: a message must be an object`);
      return [];
    }
    const location = isObject(m.correlationId) ? m.correlationId.location : undefined;
    const mqtt = isObject(m.bindings) && isObject(m.bindings.mqtt) ? m.bindings.mqtt : {};
    const contentType = typeof m.contentType === 'string' ? m.contentType : typeof mqtt.contentType === 'string' ? mqtt.contentType : undefined;
    const headerNames = isObject(m.headers) && isObject(m.headers.properties) ? Object.keys(m.headers.properties) : [];
    if (location !== undefined && (typeof location !== 'string' || !/^\$message\.(header|payload)#/.test(location))) {
      problems.push(`${where}.${name}.correlationId.location must be a runtime expression such as $message.header#/id`);
    }
    return [
      {
        name: typeof m.name === 'string' ? m.name : name,
        ...(typeof location === 'string' ? { correlationLocation: location } : {}),
        ...(contentType ? { contentType } : {}),
        ...(headerNames.length ? { headerNames } : {}),
      },
    ];
  });
}

function readServers(document: Record<string, any>): { url: string; protocols: string[]; servers: AsyncApiServer[] } {
  const servers = (isObject(document.servers) ? Object.values(document.servers) : []).filter(isObject);
  const protocols = servers.map((s) => (typeof s.protocol === 'string' ? s.protocol.toLowerCase() : ''));
  const read = servers.map((s, i) => ({ protocol: protocols[i], ...(typeof s.protocolVersion === 'string' || typeof s.protocolVersion === 'number' ? { protocolVersion: String(s.protocolVersion) } : {}) }));
  const http = servers.find((s, i) => /^https?$/.test(protocols[i]) && typeof s.host === 'string');
  if (!http) return { url: '', protocols, servers: read };
  const pathname = typeof http.pathname === 'string' ? http.pathname.replace(/\/+$/, '') : '';
  return { url: `${String(http.protocol).toLowerCase()}://${http.host}${pathname}`, protocols, servers: read };
}

/**
 * Reads, parses and dereferences an AsyncAPI 3.0 description: its channels (address, bindings,
 * messages with their correlation id location) and operations (action, channel). Problems come
 * back as diagnostics at the description's file (ASFN1090); every file is read through `reader`.
 */
export async function loadAsyncApi(
  path: string,
  reader: DocumentReader = createDocumentReader(),
): Promise<{ asyncapi?: LoadedAsyncApi; diagnostics: Diagnostic[] }> {
  const read = await readDescription(
    path,
    reader,
    'asyncApiInvalid',
    (raw) => typeof raw.asyncapi === 'string' && /^3\.0\.\d+$/.test(raw.asyncapi),
    'not an AsyncAPI 3.0 description (missing or unsupported `asyncapi` version; 2.x descriptions are not read)',
  );
  if (!('document' in read)) return read;
  const { source, document, targets, diagnostics, fail } = read;
  // As written, before dereferencing: an operation's channel `$ref` names the channel's key.
  const raw = source.value as Record<string, any>;

  const problems: string[] = [];
  const channels = new Map<string, AsyncApiChannel>();
  for (const [key, channel] of Object.entries<unknown>(isObject(document.channels) ? document.channels : {})) {
    if (!isObject(channel)) {
      problems.push(`channels.${key} must be an object`);
      continue;
    }
    const address = typeof channel.address === 'string' ? channel.address : key;
    // Dereferenced, a channel's `servers` are the Server Objects themselves.
    const servers = Array.isArray(channel.servers) ? channel.servers.filter(isObject) : [];
    const serverProtocols = servers.map((server) => (typeof server.protocol === 'string' ? server.protocol.toLowerCase() : ''));
    channels.set(key, {
      key,
      pointer: encodePointer(['channels', key]),
      address,
      bindings: isObject(channel.bindings) ? channel.bindings : {},
      messages: messagesOf(channel.messages, problems, `channels.${key}.messages`),
      ...(serverProtocols.length ? { serverProtocols } : {}),
    });
  }
  const operations: AsyncApiOperation[] = [];
  const rawOperations = isObject(raw.operations) ? raw.operations : {};
  for (const [key, op] of Object.entries<unknown>(isObject(document.operations) ? document.operations : {})) {
    if (!isObject(op) || (op.action !== 'send' && op.action !== 'receive')) {
      problems.push(`operations.${key}.action must be send or receive`);
      continue;
    }
    // The raw `$ref` names the channel; a dereferenced channel is the same object as its entry in `channels`.
    const key0 = channelKeyOfRef(rawOperations[key]?.channel?.$ref) ?? [...channels.keys()].find((k) => document.channels[k] === op.channel);
    const channel = key0 === undefined ? undefined : channels.get(key0);
    if (!channel) {
      problems.push(`operations.${key}.channel must be a $ref to a channel of this description (#/channels/<name>)`);
      continue;
    }
    const own = Array.isArray(op.messages) ? messagesOf(op.messages, problems, `operations.${key}.messages`) : [];
    // An operation's messages are $refs into its channel's: match them by correlation id location where names were lost.
    operations.push({
      operationId: key,
      pointer: encodePointer(['operations', key]),
      action: op.action,
      channel,
      bindings: isObject(op.bindings) ? op.bindings : {},
      messages: own.length ? own : channel.messages,
    });
  }
  if (problems.length)
    return fail(`not a valid AsyncAPI description: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
  const server = readServers(document);
  const files = [...new Set([resolve(path), ...targets.sources.keys()])];
  return {
    asyncapi: { source, document, channels: [...channels.values()], operations, serverUrl: server.url, serverProtocols: server.protocols, servers: server.servers, files },
    diagnostics,
  };
}
