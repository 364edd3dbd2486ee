import { constants, createCipheriv, createDecipheriv, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';

/** One call as the stand-in received it: the JSON protocol's target and body. */
export interface AwsCall {
  readonly target: string;
  readonly body: Record<string, unknown>;
  /** Whether the request carried a SigV4 Authorization header (as the real SDK sends). */
  readonly signed: boolean;
}

export interface AwsStandIn {
  readonly url: string;
  readonly calls: readonly AwsCall[];
  /** Secrets by id: an ARN or a name, as GetSecretValue's SecretId. */
  readonly secrets: Map<string, string | Uint8Array>;
  /** Targets (e.g. `secretsmanager.GetSecretValue`) that answer an error instead, with their `__type`. */
  readonly failing: Map<string, string>;
  /** DynamoDB tables by name: the partition key's attribute name and the items by key value. */
  readonly tables: Map<string, StandInTable>;
  /** Step Functions task tokens issued with `issueTaskToken`, and what became of each Task. */
  readonly tasks: Map<string, StandInTask>;
  /** A token as a `.waitForTaskToken` Task hands out (`$$.Task.Token`), its Task waiting. */
  issueTaskToken(): string;
  /** KMS asymmetric signing keys by key id (as `Sign`'s KeyId): the private key stays in the stand-in, as in KMS. */
  readonly signingKeys: Map<string, KeyObject>;
  /** Milliseconds a target waits before it is carried out (its call is recorded at once): to line up concurrent requests. */
  readonly delays: Map<string, number>;
  callsTo(target: string): AwsCall[];
  close(): Promise<void>;
}

export type AttributeValue = Record<string, any>;
export type Item = Record<string, AttributeValue>;

export interface StandInTable {
  readonly key: string;
  readonly items: Map<string, Item>;
}

export interface StandInTask {
  /** `timed-out` stands for any Task that no longer waits (its timeout or heartbeat lapsed, its execution ended). */
  state: 'waiting' | 'succeeded' | 'failed' | 'timed-out';
  heartbeats: number;
  output?: string;
  error?: string;
  cause?: string;
}

class StandInError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

/**
 * DynamoDB's condition and update expressions, as far as a store may use them: conditions joined
 * by AND and OR of `attribute_exists(p)`, `attribute_not_exists(p)`, `p = :v` and `[NOT] contains(p, :v)`
 * on a string set; `SET` assignments of `:v` or `list_append(a, b)`, and `ADD p :stringSet`. Stricter than DynamoDB on purpose: every attribute name must be an
 * `#placeholder` (DynamoDB refuses its hundreds of reserved words used bare, `status` among them),
 * and placeholders or values left unused are refused, as DynamoDB refuses them.
 */
class Expressions {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  constructor(
    private readonly names: Record<string, string> = {},
    private readonly values: Record<string, AttributeValue> = {},
  ) {}

  private name(token: string): string {
    if (!/^#\w+$/.test(token)) throw new StandInError('ValidationException', `attribute names must be #placeholders in this stand-in, got "${token}"`);
    const name = this.names[token];
    if (name === undefined) throw new StandInError('ValidationException', `An expression attribute name used in the document path is not defined; attribute name: ${token}`);
    this.usedNames.add(token);
    return name;
  }

  private value(token: string): AttributeValue {
    const value = this.values[token];
    if (value === undefined) throw new StandInError('ValidationException', `An expression attribute value used in expression is not defined; attribute value: ${token}`);
    this.usedValues.add(token);
    return value;
  }

  private operand(token: string, item: Item | undefined): AttributeValue | undefined {
    if (token.startsWith(':')) return this.value(token);
    const name = this.name(token);
    return item?.[name];
  }

  holds(condition: string | undefined, item: Item | undefined): boolean {
    if (!condition) return true;
    // OR of AND-ed clauses (AND binds tighter, as in DynamoDB); every alternative is evaluated, so each placeholder counts as used.
    return condition
      .split(/\s+OR\s+/)
      .map((alternative) => this.allHold(alternative, item))
      .some(Boolean);
  }

  private allHold(condition: string, item: Item | undefined): boolean {
    return condition.split(/\s+AND\s+/).every((clause) => {
      const c = clause.trim();
      let m = /^attribute_(not_)?exists\((#\w+)\)$/.exec(c);
      if (m) {
        const name = this.name(m[2]);
        return (item?.[name] !== undefined) === !m[1];
      }
      m = /^(NOT\s+)?contains\((#\w+),\s*(:\w+)\)$/.exec(c);
      if (m) {
        // A string set's membership (what the store asks); an absent attribute contains nothing.
        const [set, member] = [this.operand(m[2], item), this.value(m[3])];
        if (set !== undefined && !set.SS) throw new StandInError('ValidationException', 'the stand-in evaluates contains() on string sets only');
        const found = !!member.S && (set?.SS ?? []).includes(member.S);
        return m[1] ? !found : found;
      }
      m = /^(\S+)\s*=\s*(\S+)$/.exec(c);
      if (m) {
        const [left, right] = [this.operand(m[1], item), this.operand(m[2], item)];
        return left !== undefined && isDeepStrictEqual(left, right);
      }
      throw new StandInError('ValidationException', `the stand-in does not evaluate the condition "${c}"`);
    });
  }

  apply(update: string, item: Item): Item {
    const add = /^ADD\s+(#\w+)\s+(:\w+)$/.exec(update.trim());
    if (add) {
      // ADD to a string set: the union, created when absent.
      const [target, members] = [this.name(add[1]), this.value(add[2])];
      const current = item[target];
      if (!members.SS || (current !== undefined && !current.SS)) throw new StandInError('ValidationException', 'An operand in the update expression has an incorrect data type');
      return { ...structuredClone(item), [target]: { SS: [...new Set([...(current?.SS ?? []), ...members.SS])] } };
    }
    const m = /^SET\s+(.+)$/.exec(update.trim());
    if (!m) throw new StandInError('ValidationException', `the stand-in evaluates SET and ADD (string set) updates only, got "${update}"`);
    const next: Item = structuredClone(item);
    for (const assignment of m[1].split(/,\s*(?![^(]*\))/)) {
      const a = /^(#\w+)\s*=\s*(.+)$/.exec(assignment.trim());
      if (!a) throw new StandInError('ValidationException', `the stand-in does not evaluate "${assignment}"`);
      const target = this.name(a[1]);
      const append = /^list_append\((\S+),\s*(\S+)\)$/.exec(a[2].trim());
      if (append) {
        const [first, second] = [this.operand(append[1], item), this.operand(append[2], item)];
        if (!first?.L || !second?.L) throw new StandInError('ValidationException', 'An operand in the update expression has an incorrect data type');
        next[target] = { L: [...first.L, ...second.L] };
      } else next[target] = structuredClone(this.operand(a[2].trim(), item)!);
    }
    return next;
  }

  /** DynamoDB refuses a request whose placeholders are not all used. */
  checkAllUsed(): void {
    const unusedNames = Object.keys(this.names).filter((n) => !this.usedNames.has(n));
    const unusedValues = Object.keys(this.values).filter((v) => !this.usedValues.has(v));
    if (unusedNames.length) throw new StandInError('ValidationException', `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
    if (unusedValues.length) throw new StandInError('ValidationException', `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
  }
}

/** DynamoDB's item size as it counts it: attribute names plus values (strings and sets by their UTF-8 bytes). */
export function itemSize(item: Item): number {
  const valueSize = (v: AttributeValue): number => {
    if (v.S !== undefined) return Buffer.byteLength(v.S);
    if (v.N !== undefined) return Math.ceil(String(v.N).length / 2) + 1;
    if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
    if (v.SS) return (v.SS as string[]).reduce((n, e) => n + Buffer.byteLength(e), 0);
    if (v.L) return 3 + (v.L as AttributeValue[]).reduce((n, e) => n + 1 + valueSize(e), 0);
    if (v.M) return 3 + itemSize(v.M);
    return Buffer.byteLength(JSON.stringify(v));
  };
  return Object.entries(item).reduce((n, [name, v]) => n + Buffer.byteLength(name) + valueSize(v), 0);
}

/** DynamoDB's limit on an item: 400 KB. */
export const MAX_ITEM_BYTES = 409_600;

function dynamo(tables: Map<string, StandInTable>, operation: string, body: Record<string, any>): Record<string, unknown> {
  const table = tables.get(body.TableName);
  if (!table) throw new StandInError('ResourceNotFoundException', 'Requested resource not found');
  const keyOf = (item: Item | undefined) => {
    const attribute = item?.[table.key];
    if (!attribute || Object.keys(item!).length === 0) throw new StandInError('ValidationException', 'The provided key element does not match the schema');
    return JSON.stringify(attribute);
  };
  const expressions = new Expressions(body.ExpressionAttributeNames, body.ExpressionAttributeValues);
  switch (operation) {
    case 'PutItem': {
      const key = keyOf(body.Item);
      if (!expressions.holds(body.ConditionExpression, table.items.get(key))) throw new StandInError('ConditionalCheckFailedException', 'The conditional request failed');
      expressions.checkAllUsed();
      if (itemSize(body.Item) > MAX_ITEM_BYTES) throw new StandInError('ValidationException', 'Item size has exceeded the maximum allowed size');
      table.items.set(key, structuredClone(body.Item));
      return {};
    }
    case 'GetItem': {
      if (Object.keys(body.Key ?? {}).length !== 1) throw new StandInError('ValidationException', 'The provided key element does not match the schema');
      const item = table.items.get(keyOf(body.Key));
      return item ? { Item: structuredClone(item) } : {};
    }
    case 'UpdateItem': {
      if (Object.keys(body.Key ?? {}).length !== 1) throw new StandInError('ValidationException', 'The provided key element does not match the schema');
      const key = keyOf(body.Key);
      const existing = table.items.get(key);
      if (!expressions.holds(body.ConditionExpression, existing)) throw new StandInError('ConditionalCheckFailedException', 'The conditional request failed');
      // As DynamoDB does, an update of an absent item creates it.
      const updated = expressions.apply(body.UpdateExpression, existing ?? structuredClone(body.Key));
      expressions.checkAllUsed();
      table.items.set(key, updated);
      return {};
    }
    case 'DeleteItem': {
      if (Object.keys(body.Key ?? {}).length !== 1) throw new StandInError('ValidationException', 'The provided key element does not match the schema');
      const key = keyOf(body.Key);
      const existing = table.items.get(key);
      if (!expressions.holds(body.ConditionExpression, existing)) throw new StandInError('ConditionalCheckFailedException', 'The conditional request failed');
      expressions.checkAllUsed();
      table.items.delete(key);
      return body.ReturnValues === 'ALL_OLD' && existing ? { Attributes: existing } : {};
    }
    default:
      throw new StandInError('UnknownOperationException', `the stand-in does not implement DynamoDB ${operation}`);
  }
}

function stepFunctions(tasks: Map<string, StandInTask>, operation: string, body: Record<string, any>): Record<string, unknown> {
  const task = tasks.get(body.taskToken);
  if (!task) throw new StandInError('InvalidToken', 'Invalid token');
  if (task.state !== 'waiting') throw new StandInError('TaskTimedOut', 'Provided task does not exist anymore');
  switch (operation) {
    case 'SendTaskHeartbeat':
      task.heartbeats++;
      return {};
    case 'SendTaskSuccess':
      if (Buffer.byteLength(String(body.output)) > 262_144) throw new StandInError('InvalidOutput', 'output is larger than 256 KB');
      try {
        JSON.parse(body.output);
      } catch {
        throw new StandInError('InvalidOutput', 'output is not JSON');
      }
      Object.assign(task, { state: 'succeeded', output: body.output });
      return {};
    case 'SendTaskFailure':
      if (String(body.error ?? '').length > 256 || String(body.cause ?? '').length > 32_768) throw new StandInError('ValidationException', 'error or cause too long');
      Object.assign(task, { state: 'failed', error: body.error, cause: body.cause });
      return {};
    default:
      throw new StandInError('UnknownOperationException', `the stand-in does not implement Step Functions ${operation}`);
  }
}

/**
 * A loopback stand-in for the AWS APIs the Lambda runtime calls, speaking their JSON protocols
 * (1.1 for Secrets Manager and KMS, 1.0 for DynamoDB and Step Functions) so the real SDK clients
 * run unchanged against it (endpoint overridden): Secrets Manager `GetSecretValue`; KMS
 * `GenerateDataKey` / `Decrypt` / `Sign` / `GetPublicKey`; DynamoDB `PutItem` / `GetItem` / `UpdateItem` / `DeleteItem` with condition
 * expressions, items over 400 KB refused; Step Functions `SendTaskSuccess` / `SendTaskFailure` / `SendTaskHeartbeat`. Its
 * data keys are wrapped with a key of its own, bound to the key id and the encryption context,
 * so a Decrypt with another context fails as KMS's does (InvalidCiphertextException). A task
 * token answers as Step Functions does once its Task stopped waiting (TaskTimedOut), or when it
 * was never issued (InvalidToken).
 */
export async function startAwsStandIn(): Promise<AwsStandIn> {
  const calls: AwsCall[] = [];
  const secrets = new Map<string, string | Uint8Array>();
  const failing = new Map<string, string>();
  const tables = new Map<string, StandInTable>();
  const tasks = new Map<string, StandInTask>();
  const delays = new Map<string, number>();
  const signingKeys = new Map<string, KeyObject>();
  const master = randomBytes(32);
  const aad = (keyId: unknown, context: unknown) => Buffer.from(JSON.stringify([keyId, context ?? {}]));

  const answer = (target: string, body: Record<string, any>): [number, Record<string, unknown>] => {
    const failure = failing.get(target);
    if (failure) return [400, { __type: failure, message: `${failure} (stand-in)` }];
    switch (target) {
      case 'secretsmanager.GetSecretValue': {
        const value = secrets.get(body.SecretId);
        if (value === undefined) return [400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }];
        return [200, { ARN: body.SecretId, Name: String(body.SecretId).split(':').pop(), VersionId: 'v1', ...(typeof value === 'string' ? { SecretString: value } : { SecretBinary: Buffer.from(value).toString('base64') }) }];
      }
      case 'TrentService.GenerateDataKey': {
        const plaintext = randomBytes(body.KeySpec === 'AES_128' ? 16 : 32);
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', master, iv);
        cipher.setAAD(aad(body.KeyId, body.EncryptionContext));
        const wrapped = Buffer.concat([iv, Buffer.concat([cipher.update(plaintext), cipher.final()]), cipher.getAuthTag()]);
        return [200, { KeyId: body.KeyId, Plaintext: plaintext.toString('base64'), CiphertextBlob: wrapped.toString('base64') }];
      }
      case 'TrentService.Sign': {
        // KMS's rules: MessageType RAW takes at most 4096 bytes; the algorithm must suit the key; ECDSA answers DER.
        const key = signingKeys.get(body.KeyId);
        if (!key) return [400, { __type: 'NotFoundException', message: `Key '${body.KeyId}' does not exist` }];
        const message = Buffer.from(String(body.Message ?? ''), 'base64');
        if (body.MessageType !== 'RAW' || message.length > 4096) return [400, { __type: 'ValidationException', message: 'Message must be RAW and at most 4096 bytes' }];
        const type = key.asymmetricKeyType;
        const spec: Record<string, [boolean, string | null, object]> = {
          RSASSA_PKCS1_V1_5_SHA_256: [type === 'rsa', 'sha256', { padding: constants.RSA_PKCS1_PADDING }],
          RSASSA_PSS_SHA_512: [type === 'rsa', 'sha512', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }],
          RSASSA_PSS_SHA_256: [type === 'rsa', 'sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
          ECDSA_SHA_256: [type === 'ec', 'sha256', {}],
          ED25519_SHA_512: [type === 'ed25519', null, {}],
        };
        const chosen = spec[String(body.SigningAlgorithm)];
        if (!chosen?.[0]) return [400, { __type: 'InvalidKeyUsageException', message: `${body.SigningAlgorithm} is not valid for this key` }];
        const signature = sign(chosen[1], message, { key, ...chosen[2] });
        return [200, { KeyId: body.KeyId, Signature: signature.toString('base64'), SigningAlgorithm: body.SigningAlgorithm }];
      }
      case 'TrentService.GetPublicKey': {
        const key = signingKeys.get(body.KeyId);
        if (!key) return [400, { __type: 'NotFoundException', message: `Key '${body.KeyId}' does not exist` }];
        // As KMS answers for a SIGN_VERIFY key: the spec and the signing algorithms it allows.
        const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
        const type = key.asymmetricKeyType;
        const [keySpec, algorithms] =
          type === 'rsa'
            ? [`RSA_${key.asymmetricKeyDetails?.modulusLength}`, ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512']]
            : type === 'ec'
              ? ['ECC_NIST_P256', ['ECDSA_SHA_256']]
              : ['ECC_NIST_EDWARDS25519', ['ED25519_SHA_512', 'ED25519_PH_SHA_512']];
        return [200, { KeyId: body.KeyId, PublicKey: der.toString('base64'), KeyUsage: 'SIGN_VERIFY', KeySpec: keySpec, SigningAlgorithms: algorithms }];
      }
      case 'TrentService.Decrypt': {
        const blob = Buffer.from(String(body.CiphertextBlob), 'base64');
        try {
          const decipher = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12));
          decipher.setAAD(aad(body.KeyId, body.EncryptionContext));
          decipher.setAuthTag(blob.subarray(blob.length - 16));
          const plaintext = Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
          return [200, { KeyId: body.KeyId, Plaintext: plaintext.toString('base64') }];
        } catch {
          return [400, { __type: 'InvalidCiphertextException', message: '' }];
        }
      }
      default: {
        const [service, operation] = target.split('.');
        try {
          if (service === 'DynamoDB_20120810') return [200, dynamo(tables, operation, body)];
          if (service === 'AWSStepFunctions') return [200, stepFunctions(tasks, operation, body)];
        } catch (err) {
          if (err instanceof StandInError) return [400, { __type: err.type, message: err.message }];
          throw err;
        }
        return [400, { __type: 'UnknownOperationException', message: `the stand-in does not implement ${target}` }];
      }
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        // answered as an unknown operation below
      }
      calls.push({ target, body, signed: /^AWS4-HMAC-SHA256 /.test(String(req.headers.authorization ?? '')) });
      const delay = delays.get(target);
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      const [status, payload] = answer(target, body);
      const protocol = /^(DynamoDB_20120810|AWSStepFunctions)\./.test(target) ? '1.0' : '1.1';
      res.writeHead(status, { 'content-type': `application/x-amz-json-${protocol}`, 'x-amzn-requestid': randomBytes(8).toString('hex') });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    secrets,
    failing,
    tables,
    tasks,
    delays,
    signingKeys,
    issueTaskToken: () => {
      // Real tokens are long opaque base64 strings; the length matters to nothing here but reads like one.
      const token = randomBytes(96).toString('base64');
      tasks.set(token, { state: 'waiting', heartbeats: 0 });
      return token;
    },
    callsTo: (target) => calls.filter((c) => c.target === target),
    close: () =>
      new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK keeps connections alive; they would hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** Static credentials and region for SDK clients pointed at the stand-in: nothing leaves the machine. */
export const STAND_IN_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIASTANDIN', secretAccessKey: 'stand-in-secret' },
} as const;
