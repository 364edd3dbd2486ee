// TEST DOUBLE: a loopback stand-in for SQS, SNS and EventBridge, speaking each service's wire
// protocol as the AWS SDK v3 clients send it, so the real clients run unchanged against it
// (endpoint overridden, static credentials). It is not a broker: it records what it was given.
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One SendMessage, Publish or PutEvents entry as the stand-in received it. */
export interface BrokerCall {
  /** `AmazonSQS.SendMessage`, `SNS.Publish` or `AWSEvents.PutEvents`. */
  readonly target: string;
  /** The request's fields (SNS's form fields with their MessageAttributes folded back into a map). */
  readonly body: Record<string, any>;
  /** Whether the request carried a SigV4 Authorization header, as the real SDK sends. */
  readonly signed: boolean;
}

/** An error the stand-in answers instead of carrying a call out, `times` times (then it carries the calls out again). */
export interface InjectedFault {
  /** The service's error code (`RequestThrottled`, `AuthorizationError`, `AccessDeniedException`, ...). */
  readonly code: string;
  /** @default 400 */
  readonly status?: number;
  /** @default Infinity */
  times?: number;
}

export interface BrokerStandIn {
  readonly url: string;
  readonly calls: BrokerCall[];
  /** Queue URLs, topic ARNs and bus names (or ARNs) that exist: anything else is answered as not found. */
  readonly queues: Set<string>;
  readonly topics: Set<string>;
  readonly buses: Set<string>;
  /** By target (`AmazonSQS.SendMessage`, ...): an error instead of the call. */
  readonly faults: Map<string, InjectedFault>;
  /** By bus: the ErrorCode every PutEvents entry on it fails with (HTTP 200, FailedEntryCount > 0, as EventBridge answers). */
  readonly failedEntries: Map<string, string>;
  callsTo(target: string): BrokerCall[];
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** SQS's and SNS's rules for message attributes: at most 10, each with a non-empty value. */
function checkAttributes(attributes: Record<string, { DataType?: string; StringValue?: string }> | undefined): void {
  const entries = Object.entries(attributes ?? {});
  if (entries.length > 10) throw new Refusal('InvalidParameterValue', `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  for (const [name, value] of entries) {
    if (value.DataType !== 'String' || !value.StringValue) throw new Refusal('InvalidParameterValue', `Message attribute '${name}' must contain a non-empty value of type 'String'.`);
  }
}

/** FIFO queues and topics (names ending in .fifo) need a group id and, without content-based deduplication, a deduplication id. */
function checkFifo(name: string, body: Record<string, any>): void {
  const fifo = name.endsWith('.fifo');
  if (fifo && !body.MessageGroupId) throw new Refusal('MissingParameter', 'The request must contain the parameter MessageGroupId.');
  if (fifo && !body.MessageDeduplicationId) throw new Refusal('InvalidParameterValue', 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
  if (!fifo && body.MessageDeduplicationId) throw new Refusal('InvalidParameterValue', 'The request include parameter that is not valid for this queue type');
}

/** SNS's query protocol: form fields, MessageAttributes as `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue`. */
function snsFields(form: URLSearchParams): Record<string, any> {
  const fields: Record<string, any> = {};
  const attributes: Record<string, Record<string, string>> = {};
  for (const [key, value] of form) {
    const entry = /^MessageAttributes\.entry\.(\d+)\.(Name|Value\.DataType|Value\.StringValue)$/.exec(key);
    if (!entry) {
      fields[key] = value;
      continue;
    }
    (attributes[entry[1]] ??= {})[entry[2]] = value;
  }
  const folded = Object.values(attributes).map((a) => [a.Name, { DataType: a['Value.DataType'], StringValue: a['Value.StringValue'] }]);
  if (folded.length) fields.MessageAttributes = Object.fromEntries(folded);
  return fields;
}

const xml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startBrokerStandIn(): Promise<BrokerStandIn> {
  const calls: BrokerCall[] = [];
  const queues = new Set<string>();
  const topics = new Set<string>();
  const buses = new Set<string>();
  const faults = new Map<string, InjectedFault>();
  const failedEntries = new Map<string, string>();

  const injected = (target: string): Refusal | undefined => {
    const fault = faults.get(target);
    if (!fault || (fault.times ?? Infinity) <= 0) return undefined;
    if (fault.times !== undefined) fault.times--;
    return new Refusal(fault.code, `${fault.code} (stand-in)`, fault.status ?? 400);
  };

  const sqs = (body: Record<string, any>): Record<string, unknown> => {
    if (!queues.has(body.QueueUrl)) throw new Refusal('com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.');
    if (typeof body.MessageBody !== 'string' || !body.MessageBody) throw new Refusal('com.amazonaws.sqs#MissingParameter', 'The request must contain the parameter MessageBody.');
    checkAttributes(body.MessageAttributes);
    checkFifo(body.QueueUrl, body);
    // The SDK checks MD5OfMessageBody against what it sent: a stand-in that answered anything else would fail every send.
    return { MessageId: randomUUID(), MD5OfMessageBody: md5(body.MessageBody), ...(body.QueueUrl.endsWith('.fifo') ? { SequenceNumber: String(Date.now()) } : {}) };
  };

  const sns = (body: Record<string, any>): string => {
    if (body.Action !== 'Publish') throw new Refusal('InvalidAction', `the stand-in does not implement SNS ${body.Action}`);
    if (!topics.has(body.TopicArn)) throw new Refusal('NotFound', 'Topic does not exist');
    if (!body.Message) throw new Refusal('InvalidParameter', 'Invalid parameter: Empty message');
    checkAttributes(body.MessageAttributes);
    checkFifo(body.TopicArn, body);
    return `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`;
  };

  const putEvents = (body: Record<string, any>): Record<string, unknown> => {
    const entries = (body.Entries ?? []) as Record<string, any>[];
    if (!entries.length || entries.length > 10) throw new Refusal('ValidationException', 'Entries must hold 1 to 10 events');
    const answered = entries.map((entry) => {
      const bus = entry.EventBusName ?? 'default';
      if (!buses.has(bus)) return { ErrorCode: 'NotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
      const failure = failedEntries.get(bus);
      if (failure) return { ErrorCode: failure, ErrorMessage: `${failure} (stand-in)` };
      try {
        const detail = JSON.parse(entry.Detail);
        if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new Error('not an object');
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (!entry.Source || !entry.DetailType) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source and DetailType are required.' };
      return { EventId: randomUUID() };
    });
    return { FailedEntryCount: answered.filter((e) => 'ErrorCode' in e).length, Entries: answered };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const amzTarget = String(req.headers['x-amz-target'] ?? '');
      const signed = /^AWS4-HMAC-SHA256 /.test(String(req.headers.authorization ?? ''));
      const requestId = randomUUID();
      if (!amzTarget) {
        // SNS: the query protocol, a form body, XML answers.
        const body = snsFields(new URLSearchParams(raw));
        const target = `SNS.${body.Action}`;
        calls.push({ target, body, signed });
        try {
          const fault = injected(target);
          if (fault) throw fault;
          res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
          res.end(sns(body));
        } catch (err) {
          const r = err as Refusal;
          res.writeHead(r.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
          res.end(`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${xml(r.code)}</Code><Message>${xml(r.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
        }
        return;
      }
      // SQS (AWS JSON 1.0) and EventBridge (AWS JSON 1.1): the operation in X-Amz-Target, JSON both ways.
      let body: Record<string, any> = {};
      try {
        body = JSON.parse(raw || '{}');
      } catch {
        // answered below as a refusal of its operation
      }
      calls.push({ target: amzTarget, body, signed });
      const protocol = amzTarget.startsWith('AmazonSQS.') ? '1.0' : '1.1';
      try {
        const fault = injected(amzTarget);
        if (fault) throw fault;
        let answer: Record<string, unknown>;
        if (amzTarget === 'AmazonSQS.SendMessage') answer = sqs(body);
        else if (amzTarget === 'AWSEvents.PutEvents') answer = putEvents(body);
        else throw new Refusal('UnknownOperationException', `the stand-in does not implement ${amzTarget}`);
        res.writeHead(200, { 'content-type': `application/x-amz-json-${protocol}`, 'x-amzn-requestid': requestId });
        res.end(JSON.stringify(answer));
      } catch (err) {
        const r = err as Refusal;
        // SQS's JSON protocol also names the query-protocol code, which the SDK reports as the error's Code.
        const queryError = protocol === '1.0' ? { 'x-amzn-query-error': `${r.code.split('#').pop()};Sender` } : {};
        res.writeHead(r.status, { 'content-type': `application/x-amz-json-${protocol}`, 'x-amzn-requestid': requestId, ...queryError });
        res.end(JSON.stringify({ __type: r.code, message: r.message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    queues,
    topics,
    buses,
    faults,
    failedEntries,
    callsTo: (target) => calls.filter((c) => c.target === target),
    close: () =>
      new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK keeps connections alive; they would hold close() open.
        server.closeAllConnections();
      }),
  };
}
