import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callbackIdOf, InMemoryCallbackStore, parseCallbackBody, receiveCallback, type CallbackStore, type TaskTokenClient } from '../functions/runtime/callbacks/index.js';
import type { StepPlan } from '../core/plan.js';
import { channelOfMessagePath, MESSAGE_TOO_LARGE, messagePath, receiveMessage } from '../functions/runtime/messages/receive-message.js';
import type { Sealer, SecretsProvider } from '../functions/runtime/secrets/index.js';
import { createBrokerHandler, type BrokerHandler } from '../functions/handlers/create-broker-handler.js';
import type { SqsEvent } from '../functions/runtime/messages/broker-messages.js';
import { LocalBroker, localTargetOfQueue } from './local-broker.js';

interface Waiter {
  resolve(output: unknown): void;
  reject(error: Error): void;
  heartbeat(): void;
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/**
 * The task tokens of the local run: what `SendTaskSuccess`/`SendTaskFailure`/`SendTaskHeartbeat`
 * do on AWS, for Tasks the embedded engine runs (it has no `.waitForTaskToken` of its own).
 */
export class LocalTaskTokens implements TaskTokenClient {
  private readonly waiters = new Map<string, Waiter>();

  /** A new token and the promise the Task waits on; it fails as AWS does when the heartbeat or the timeout lapses. */
  issue(limits: { heartbeatMs: number; timeoutMs: number }): { token: string; result: Promise<unknown> } {
    const token = `local-task-token-${randomUUID()}`;
    const result = new Promise<unknown>((resolve, reject) => {
      let heartbeatTimer: NodeJS.Timeout;
      const done = () => {
        clearTimeout(heartbeatTimer);
        clearTimeout(timeoutTimer);
        this.waiters.delete(token);
      };
      const armHeartbeat = () => {
        clearTimeout(heartbeatTimer);
        heartbeatTimer = setTimeout(() => {
          done();
          reject(named('States.HeartbeatTimeout', 'no callback within the heartbeat'));
        }, limits.heartbeatMs);
      };
      const timeoutTimer = setTimeout(() => {
        done();
        reject(named('States.Timeout', 'no settled callback within the timeout'));
      }, limits.timeoutMs);
      armHeartbeat();
      this.waiters.set(token, {
        resolve: (output) => (done(), resolve(output)),
        reject: (error) => (done(), reject(error)),
        heartbeat: armHeartbeat,
      });
    });
    return { token, result };
  }

  private waiter(token: string): Waiter {
    const waiter = this.waiters.get(token);
    // As the service answers for a token whose Task already ended.
    if (!waiter) throw named('TaskTimedOut', 'the task token is no longer valid');
    return waiter;
  }
  async sendTaskSuccess(token: string, output: string): Promise<void> {
    this.waiter(token).resolve(JSON.parse(output));
  }
  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    this.waiter(token).reject(named(error, cause));
  }
  async sendTaskHeartbeat(token: string): Promise<void> {
    this.waiter(token).heartbeat();
  }
}

export interface LocalCallbacks {
  /** The webhook receiver's base URL on loopback: callback steps write `<baseUrl>/callbacks?id=<id>` into their requests. */
  readonly baseUrl: string;
  readonly store: CallbackStore;
  readonly tokens: LocalTaskTokens;
  /** Refused callbacks and messages (401) by reason: the local count of the `ForgedCallbacks` metric. */
  readonly forged: ReadonlyMap<string, number>;
  /** Counts a refusal made outside the receiver (a receive step that takes a kept message and finds it a replay) in `forged`. */
  countForged(reason: string): void;
  /** Messages answered 413 (too large to receive, or to keep for a step not waiting yet): the local count of the `OversizedMessages` metric. */
  readonly oversizedMessages: () => number;
  /** Broker messages the broker receiver dropped, by reason (`NotJson`, `NoCorrelationId`, ...): the local count of the `DroppedMessages` metric. */
  readonly dropped: ReadonlyMap<string, number>;
  /** Makes a step's plan known to the receiver (the local runner does it for every callback and receive step of a workflow it runs). */
  register(plan: StepPlan): void;
  /** Where a message for an AsyncAPI channel is POSTed (headers: the message's headers; body: its JSON payload). */
  messageUrl(source: string, channel: string): string;
  /**
   * The embedded broker (SQS, SNS, EventBridge): what send steps publish to, delivering to the
   * same broker receiver the Lambda runs for receive steps on those channels.
   */
  readonly broker: LocalBroker;
  /** What the broker receiver answered, one entry per message (its id, status and result), the last 1000. */
  readonly brokered: readonly Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts the local webhook receiver: the same `receiveCallback` the webhook Lambda runs on AWS, over loopback HTTP. */
export async function startLocalCallbacks(deps: {
  readonly sealer: Sealer;
  readonly secrets: SecretsProvider;
  readonly host?: string;
  /**
   * The token registry the receiver resumes Tasks through; a caller that also answers
   * `SendTask*` itself (the local Step Functions endpoint) passes one it can watch.
   * @default a new LocalTaskTokens
   */
  readonly tokens?: LocalTaskTokens;
}): Promise<LocalCallbacks> {
  const plans = new Map<string, StepPlan>();
  const receivers = new Map<string, StepPlan[]>();
  // Evicted as the DynamoDB table's TTL does: a step's timeout past registration, or soon after it settled.
  const store = new InMemoryCallbackStore({ timeoutSecondsFor: (w, s) => { const p = plans.get(`${w}\u0000${s}`); return p?.callback?.timeoutSeconds ?? p?.receive?.timeoutSeconds; } });
  const tokens = deps.tokens ?? new LocalTaskTokens();
  const forged = new Map<string, number>();
  const countForged = (reason: string) => forged.set(reason, (forged.get(reason) ?? 0) + 1);
  const brokered: Record<string, unknown>[] = [];
  let oversizedMessages = 0;
  const dropped = new Map<string, number>();
  // Built per message: receive steps register as their workflows start.
  const deliver = ((event: SqsEvent) =>
    createBrokerHandler([...plans.values()], { store, tokens, sealer: deps.sealer, secrets: deps.secrets, targetOfQueue: localTargetOfQueue }, (entry) => {
      // The receiver's metric lines (Embedded Metric Format on AWS) are counted here, apart from its one line per message.
      if ('_aws' in entry) {
        if (entry.OversizedMessages) oversizedMessages++;
        if (entry.DroppedMessages) dropped.set(String(entry.reason), (dropped.get(String(entry.reason)) ?? 0) + 1);
        return;
      }
      brokered.push(entry);
      if (brokered.length > 1_000) brokered.shift();
    })(event)) as BrokerHandler;
  const broker = new LocalBroker({ deliver });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 262_144) chunks.push(c);
    });
    req.on('end', async () => {
      const answer = (status: number, body: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const channel = req.method === 'POST' ? channelOfMessagePath(req.url ?? '') : undefined;
      if (channel) {
        if (size > 262_144) {
          oversizedMessages++;
          return answer(413, { result: 'message too large', error: MESSAGE_TOO_LARGE });
        }
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
        const rawBody = Buffer.concat(chunks);
        const parsed = parseCallbackBody(rawBody, headers['content-type']);
        if (!parsed.ok) return answer(400, { result: 'message payload is not JSON' });
        // A channel bound to SQS, SNS or EventBridge: the POST publishes on its broker, and the broker receiver takes it from there.
        const transport = receivers.get(`${channel.source}\u0000${channel.channel}`)?.[0]?.channel?.transport;
        if (transport && transport.kind !== 'http') {
          await broker.publish(transport, { headers, payload: parsed.body });
          return answer(202, { result: `published on ${transport.kind}` });
        }
        try {
          const result = await receiveMessage(
            channel.source,
            channel.channel,
            { headers, payload: parsed.body },
            {
              store,
              tokens,
              sealer: deps.sealer,
              secrets: deps.secrets,
              receiversOf: (source, key) => receivers.get(`${source}\u0000${key}`) ?? [],
              planFor: (w, s) => plans.get(`${w}\u0000${s}`),
              onForged: countForged,
              onUnkept: () => oversizedMessages++,
            },
            rawBody,
          );
          return answer(result.status, result.body);
        } catch (err) {
          return answer(500, { result: (err as Error).name });
        }
      }
      const id = req.method === 'POST' ? callbackIdOf(req.url ?? '') : undefined;
      if (!id) return answer(req.method === 'POST' ? 401 : 405, { result: req.method === 'POST' ? 'unknown callback' : 'POST only' });
      if (size > 262_144) return answer(413, { result: 'callback too large' });
      const rawBody = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const parsed = parseCallbackBody(rawBody, headers['content-type']);
      if (!parsed.ok) return answer(400, { result: 'callback body is not JSON' });
      try {
        const result = await receiveCallback(
          id,
          { headers, body: parsed.body, rawBody },
          { store, tokens, sealer: deps.sealer, secrets: deps.secrets, planFor: (w, s) => plans.get(`${w}\u0000${s}`), onForged: countForged },
        );
        answer(result.status, result.body);
      } catch (err) {
        answer(500, { result: (err as Error).name });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, deps.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${address}:${port}`,
    store,
    tokens,
    forged,
    countForged,
    oversizedMessages: () => oversizedMessages,
    dropped,
    register: (plan) => {
      const key = `${plan.workflowId}\u0000${plan.stepId}`;
      plans.set(key, plan);
      if (!plan.receive || !plan.channel) return;
      const byChannel = `${plan.channel.source}\u0000${plan.channel.channel}`;
      receivers.set(byChannel, [...(receivers.get(byChannel) ?? []).filter((p) => `${p.workflowId}\u0000${p.stepId}` !== key), plan]);
    },
    messageUrl: (source, channel) => `http://${address}:${port}${messagePath(source, channel)}`,
    broker,
    brokered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
