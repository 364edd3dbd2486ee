import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { planError } from '../../../core/errors.js';
import type { StepEvent } from '../../../core/plan.js';
import type { CallbackStore, PendingCallback } from './callback-store.js';

/** The table's partition key: the callback id. The CDK construct creates the table with these names. */
export const CALLBACK_KEY_ATTRIBUTE = 'id';
/** Epoch seconds after which DynamoDB's TTL deletes the item. */
export const CALLBACK_TTL_ATTRIBUTE = 'expiresAt';

/** The attribute of a kept message's item that holds it, sealed. */
export const KEPT_MESSAGE_ATTRIBUTE = 'sealedMessage';

/** A day past the step's own timeout: a late callback still finds its record (and is told 409 or 410, not 401). */
const DEFAULT_MARGIN_SECONDS = 86_400;

export interface DynamoDbCallbackStoreOptions {
  readonly tableName: string;
  /**
   * The longest a step waits for its callback (its `timeoutSeconds`), by workflow and step id:
   * an item lives that long after it was put, plus `marginSeconds`. Only `put` asks.
   */
  readonly timeoutSecondsFor?: (workflowId: string, stepId: string) => number | undefined;
  /** @default 86400 */
  readonly marginSeconds?: number;
  /** @default a client for the Lambda's region, created on first use */
  readonly client?: DynamoDBClient;
  /** @default Date.now */
  readonly now?: () => number;
}

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });

/**
 * Pending callbacks in a DynamoDB table, one item per callback id (a receive step's turns share one). Reads are strongly
 * consistent: a provider may call back within milliseconds of the put. Settling is a conditional
 * update (`settled = false` → `true`), so of two concurrent deliveries of a settled status, or a
 * replay, only one resumes the execution. Items expire through the table's TTL; one past its
 * expiry that TTL has not removed yet reads as absent, as it will be.
 */
export class DynamoDbCallbackStore implements CallbackStore {
  private client: Promise<DynamoDBClient> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: DynamoDbCallbackStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async put(callback: PendingCallback): Promise<void> {
    const timeout = this.options.timeoutSecondsFor?.(callback.workflowId, callback.stepId);
    if (timeout === undefined) throw planError(`no callback timeout is known for step ${callback.stepId} of workflow ${callback.workflowId}, so its record could not expire`);
    const expiresAt = Math.ceil(callback.createdAt / 1000) + timeout + (this.options.marginSeconds ?? DEFAULT_MARGIN_SECONDS);
    const { UpdateItemCommand } = await import('@aws-sdk/client-dynamodb');
    const fields: Record<string, AttributeValue> = {
      taskToken: s(callback.taskToken),
      workflowId: s(callback.workflowId),
      stepId: s(callback.stepId),
      // One string, not a map: the event is opaque here, and a map would turn its empty strings and nested arrays into DynamoDB's types.
      event: s(JSON.stringify(callback.event)),
      createdAt: n(callback.createdAt),
      settled: { BOOL: callback.settled },
      statuses: { L: callback.statuses.map(s) },
      [CALLBACK_TTL_ATTRIBUTE]: n(expiresAt),
    };
    const names = Object.keys(fields);
    await (await this.clientOnce()).send(
      // An update, not a PutItem: a receive step that loops back to wait again writes its next turn over the settled one,
      // and the seen delivery ids (markSeen's set) must survive it, so a replay of an earlier turn's delivery is still refused.
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: { [CALLBACK_KEY_ATTRIBUTE]: s(callback.id) },
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
        // 256 random bits do not collide; the condition makes sure a bug cannot overwrite a live record either. A receive
        // step's key (its channel and correlation id) comes back when a workflow runs again: a settled wait makes room.
        ConditionExpression: 'attribute_not_exists(#id) OR #settled = :true',
        ExpressionAttributeNames: { '#id': CALLBACK_KEY_ATTRIBUTE, ...Object.fromEntries(names.map((name) => [`#${name}`, name])) },
        ExpressionAttributeValues: { ':true': { BOOL: true }, ...Object.fromEntries(names.map((name) => [`:${name}`, fields[name]])) },
      }),
    );
  }

  async get(id: string): Promise<PendingCallback | undefined> {
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const answer = await (await this.clientOnce()).send(
      new GetItemCommand({ TableName: this.options.tableName, Key: { [CALLBACK_KEY_ATTRIBUTE]: s(id) }, ConsistentRead: true }),
    );
    const item = answer.Item;
    if (!item) return undefined;
    const expiresAt = Number(item[CALLBACK_TTL_ATTRIBUTE]?.N);
    if (Number.isFinite(expiresAt) && expiresAt * 1000 <= this.now()) return undefined;
    return {
      id,
      taskToken: item.taskToken?.S ?? '',
      workflowId: item.workflowId?.S ?? '',
      stepId: item.stepId?.S ?? '',
      event: JSON.parse(item.event?.S ?? '{}') as StepEvent,
      createdAt: Number(item.createdAt?.N ?? 0),
      settled: item.settled?.BOOL === true,
      statuses: (item.statuses?.L ?? []).map((v) => v.S ?? ''),
    };
  }

  async record(id: string, status: string): Promise<void> {
    // A record TTL removed meanwhile has nothing left to append to; the caller's heartbeat then meets the ended Task.
    await this.update(id, 'SET #statuses = list_append(#statuses, :status)', 'attribute_exists(#id)', { '#id': CALLBACK_KEY_ATTRIBUTE, '#statuses': 'statuses' }, { ':status': { L: [s(status)] } });
  }

  async settle(id: string, status: string): Promise<boolean> {
    return this.update(
      id,
      'SET #settled = :true, #statuses = list_append(#statuses, :status)',
      '#settled = :false',
      { '#settled': 'settled', '#statuses': 'statuses' },
      { ':true': { BOOL: true }, ':false': { BOOL: false }, ':status': { L: [s(status)] } },
    );
  }

  async markSeen(id: string, deliveryId: string): Promise<boolean> {
    // A string set on the callback's own item: it expires with it, and the condition makes the check-and-add one atomic write.
    return this.update(
      id,
      'ADD #seen :delivery',
      'attribute_exists(#id) AND NOT contains(#seen, :deliveryId)',
      { '#id': CALLBACK_KEY_ATTRIBUTE, '#seen': 'seen' },
      { ':delivery': { SS: [deliveryId] }, ':deliveryId': s(deliveryId) },
    );
  }

  async keepMessage(key: string, sealed: string, keepSeconds: number): Promise<void> {
    const { PutItemCommand } = await import('@aws-sdk/client-dynamodb');
    await (await this.clientOnce()).send(
      new PutItemCommand({
        TableName: this.options.tableName,
        // Its own key space beside the callbacks: a kept message is never read as a pending step. A kept item of the
        // unsealed format (its `message` attribute) is never read as one either: it expires unread.
        Item: { [CALLBACK_KEY_ATTRIBUTE]: s(`kept:${key}`), [KEPT_MESSAGE_ATTRIBUTE]: s(sealed), [CALLBACK_TTL_ATTRIBUTE]: n(Math.ceil(this.now() / 1000) + keepSeconds) },
      }),
    );
  }

  async takeMessage(key: string): Promise<string | undefined> {
    const { DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
    // A delete that returns what it deleted: of two takers only one gets the item.
    const answer = await (await this.clientOnce()).send(
      new DeleteItemCommand({ TableName: this.options.tableName, Key: { [CALLBACK_KEY_ATTRIBUTE]: s(`kept:${key}`) }, ReturnValues: 'ALL_OLD' }),
    );
    const item = answer.Attributes;
    const sealed = item?.[KEPT_MESSAGE_ATTRIBUTE]?.S;
    if (!sealed) return undefined;
    const expiresAt = Number(item[CALLBACK_TTL_ATTRIBUTE]?.N);
    if (Number.isFinite(expiresAt) && expiresAt * 1000 <= this.now()) return undefined;
    return sealed;
  }

  /** False when the condition does not hold (already settled, or no such record). */
  private async update(id: string, expression: string, condition: string, names: Record<string, string>, values: Record<string, AttributeValue>): Promise<boolean> {
    const { UpdateItemCommand } = await import('@aws-sdk/client-dynamodb');
    try {
      await (await this.clientOnce()).send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { [CALLBACK_KEY_ATTRIBUTE]: s(id) },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  private clientOnce(): Promise<DynamoDBClient> {
    // The SDK loads on the first call, as the Secrets Manager provider's does: a function that never stores a callback does not pay for it at cold start.
    this.client ??= this.options.client
      ? Promise.resolve(this.options.client)
      : import('@aws-sdk/client-dynamodb').then(({ DynamoDBClient }) => new DynamoDBClient({}));
    return this.client;
  }
}
