import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../compiler/index.js';

const EVENTS = `asyncapi: 3.0.0
info: { title: events, version: '1' }
servers:
  queue: { host: sqs.eu-west-1.amazonaws.com, protocol: sqs }
  web: { host: example.com, protocol: https }
channels:
  confirmed:
    address: /confirmed
    bindings: { http: {} }
    messages:
      confirmed:
        correlationId: { location: $message.payload#/id }
        payload: { type: object }
  plain:
    address: /plain
    bindings: { http: {} }
    messages:
      plain: { payload: { type: object } }
  queued:
    address: orders
    bindings: { sqs: { queue: { name: orders } } }
operations:
  onConfirmed:
    action: send
    channel: { $ref: '#/channels/confirmed' }
  onPlain:
    action: send
    channel: { $ref: '#/channels/plain' }
  onQueued:
    action: send
    channel: { $ref: '#/channels/queued' }
`;

async function compileSteps(steps: string, asyncapi = EVENTS) {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-asyncapi-'));
  await writeFile(join(dir, 'events.asyncapi.yml'), asyncapi);
  const file = join(dir, 'doc.arazzo.yml');
  await writeFile(
    file,
    `arazzo: 1.1.0
info: { title: t, version: '1' }
sourceDescriptions:
- { name: events, url: ./events.asyncapi.yml, type: asyncapi }
workflows:
- workflowId: w
  inputs: { type: object, properties: { id: { type: string } } }
  steps:
${steps}`,
  );
  const result = await compileFile(file);
  const lines = result.diagnostics.map((d) => formatDiagnostic(d).replace(dir, '.'));
  return { result, errors: lines.filter((l) => / error /.test(l)), warnings: lines.filter((l) => / warning /.test(l)) };
}

describe('AsyncAPI sources and steps (Arazzo 1.1): loading, binding and lint', () => {
  it('binds operationId and channelPath to the channel, its HTTP URL and its correlation id location', async () => {
    const { result, errors } = await compileSteps(`  - stepId: wait
    channelPath: '{$sourceDescriptions.events.url}#/channels/confirmed'
    action: receive
    correlationId: $inputs.id
    timeout: 1500
    outputs: { id: $message.payload#/id }
`);
    expect(errors).toEqual([]);
    const step = result.workflows[0].plan.steps[0];
    expect(step).toMatchObject({
      channel: {
        action: 'receive',
        source: 'events',
        channel: 'confirmed',
        address: '/confirmed',
        transport: { kind: 'http', url: 'https://example.com/confirmed' },
      },
      receive: { correlationId: '$inputs.id', correlationLocation: '$message.payload#/id', timeoutSeconds: 2 },
    });
  });

  it('reports what it cannot bind at the field, with file:line:col', async () => {
    const { errors } = await compileSteps(`  - stepId: unknown
    operationId: $sourceDescriptions.events.nowhere
    action: send
  - stepId: noAction
    operationId: onPlain
  - stepId: queued
    operationId: onQueued
    action: receive
  - stepId: header
    operationId: onPlain
    action: send
    parameters: [{ name: q, in: query, value: 1 }]
    successCriteria: [{ condition: $message.payload#/ok == true }]
  - stepId: uncorrelated
    operationId: onPlain
    action: receive
    correlationId: $inputs.id
`);
    expect(errors).toEqual([
      './doc.arazzo.yml:10:18: error ASFN1091 step "unknown": operationId "$sourceDescriptions.events.nowhere" is not an operation of any asyncapi source (events) [asyncapi-operation]',
      './doc.arazzo.yml:13:18: error ASFN1092 step "noAction" targets AsyncAPI operation "onPlain": say whether it sends or receives (action: send | receive) [asyncapi-step]',
      './doc.arazzo.yml:14:5: warning ASFN2197 step "queued" receives a message and has no successCriteria, while its channel declares no message type: whichever message arrives completes it, an error or failure message too; check the message (e.g. $message.payload#/status == \'ok\') [receive-success-criteria]',
      './doc.arazzo.yml:20:33: error ASFN1092 step "header" sends a message: its parameters are message headers (in: header), not query [asyncapi-step]',
      './doc.arazzo.yml:21:22: error ASFN1094 step "header": $message has a value only in the successCriteria, actions and outputs of a step that receives a message (action: receive) [message-expression]',
      './doc.arazzo.yml:25:20: error ASFN1092 step "uncorrelated": the messages of channel "plain" declare no correlationId location (a Correlation ID Object such as location: $message.header#/id), so a message\'s correlation id cannot be read [asyncapi-step]',
    ]);
  });

  it('binds a receive step on an SQS queue, an SNS topic or an EventBridge bus, and refuses a broker nobody can receive from here (ASFN1093)', async () => {
    const brokers = `asyncapi: 3.0.0
info: { title: brokers, version: '1' }
channels:
  queued:
    address: orders
    bindings: { sqs: { queue: { name: orders } } }
    messages: { m: { correlationId: { location: $message.header#/orderId }, payload: { type: object } } }
  announced:
    address: order-topic
    bindings: { sns: { name: order-topic } }
    messages: { m: { correlationId: { location: $message.payload#/id }, payload: { type: object } } }
  events:
    address: OrderPlaced
    bindings: { x-eventbridge: { eventBusName: shop, source: shop.orders } }
    messages: { m: { correlationId: { location: $message.payload#/id }, payload: { type: object } } }
  streamed:
    address: orders-topic
    bindings: { kafka: { topic: orders } }
  urlQueue:
    address: q
    bindings: { sqs: { queue: { name: 'https://sqs.eu-west-1.amazonaws.com/111122223333/q' } } }
`;
    const { result, errors } = await compileSteps(
      ['queued', 'announced', 'events', 'streamed', 'urlQueue']
        .map((c) => `  - stepId: ${c}\n    channelPath: '{$sourceDescriptions.events.url}#/channels/${c}'\n    action: receive\n    correlationId: $inputs.id\n`)
        .join(''),
      brokers,
    );
    expect(errors).toEqual([
      './doc.arazzo.yml:22:18: error ASFN1093 step "streamed": channel "streamed" cannot be used: it is bound to kafka, which arazzo-sfn neither sends on nor receives from (it speaks HTTP, SQS, SNS, EventBridge and MQTT): give the channel an http, sqs, sns, x-eventbridge or mqtt binding [asyncapi-binding]',
      './doc.arazzo.yml:26:18: error ASFN1093 step "urlQueue": channel "urlQueue" cannot be used: its sqs binding\'s queue.name "https://sqs.eu-west-1.amazonaws.com/111122223333/q" is not an SQS queue name (letters, digits, - and _, at most 80, .fifo allowed; not a URL or ARN) [asyncapi-binding]',
    ]);
    expect(result.workflows).toEqual([]);
  });

  it('refuses a webhook signature check on a receive step whose channel is a broker (ASFN1130): its policy admits messages', async () => {
    const { errors } = await compileSteps(`  - stepId: queued
    operationId: onQueued
    action: receive
    x-arazzo-sfn-verify: { scheme: fintecture, keyId: app, secret: shop/webhook-key }
`);
    expect(errors).toEqual([
      './doc.arazzo.yml:9:5: warning ASFN2197 step "queued" receives a message and has no successCriteria, while its channel declares no message type: whichever message arrives completes it, an error or failure message too; check the message (e.g. $message.payload#/status == \'ok\') [receive-success-criteria]',
      './doc.arazzo.yml:12:26: error ASFN1130 step "queued": x-arazzo-sfn-verify checks a webhook\'s signature over HTTP, but channel "queued" is bound to sqs, whose messages are admitted by the queue policy; remove it, or receive on an http channel [receive-verify-broker]',
    ]);
  });

  it('reads an SQS server with no channel binding as the queue the channel address names (the AsyncAPI SQS binding allows it)', async () => {
    const { result, errors } = await compileSteps(
      `  - stepId: wait
    operationId: receiveEscalation
    action: receive
    correlationId: $inputs.id
`,
      `asyncapi: 3.0.0
info: { title: escalations, version: '1' }
servers:
  queue: { host: sqs.us-east-1.amazonaws.com, protocol: sqs }
channels:
  escalated:
    address: escalated-tickets
    messages: { m: { correlationId: { location: $message.payload#/ticketId }, payload: { type: object } } }
operations:
  receiveEscalation:
    action: receive
    channel: { $ref: '#/channels/escalated' }
`,
    );
    expect(errors).toEqual([]);
    expect(result.workflows[0].plan.steps[0]).toMatchObject({ channel: { action: 'receive', transport: { kind: 'sqs', queueName: 'escalated-tickets' } }, receive: { correlationLocation: '$message.payload#/ticketId' } });
  });

  it('reads an SNS server with no channel binding as the topic the channel address names, and refuses an address that cannot name one', async () => {
    // AsyncAPI bindings are optional; the address is "typically the topic name" (as frankkilcommins/arazzo-examples' sns/ and sqs/ write them).
    const broker = (protocol: string, address: string) => `asyncapi: 3.0.0
info: { title: events, version: '1' }
servers:
  broker: { host: ${protocol}.us-east-1.amazonaws.com, protocol: ${protocol} }
channels:
  placed:
    address: ${address}
    messages: { placed: { payload: { type: object } } }
operations:
  sendPlaced: { action: send, channel: { $ref: '#/channels/placed' } }
`;
    const send = `  - stepId: publish
    operationId: sendPlaced
    action: send
    requestBody: { payload: { id: $inputs.id } }
`;
    const topic = await compileSteps(send, broker('sns', 'orders-placed'));
    expect(topic.errors).toEqual([]);
    expect(topic.result.workflows[0].plan.steps[0]).toMatchObject({ channel: { transport: { kind: 'sns', topicName: 'orders-placed' } } });
    const fifo = await compileSteps(send, broker('sns', 'orders-placed.fifo'));
    expect(fifo.result.workflows[0].plan.steps[0]).toMatchObject({ channel: { transport: { kind: 'sns', topicName: 'orders-placed.fifo', fifo: {} } } });
    // An address that no topic can be named: refused by name, not sent somewhere else.
    const dotted = await compileSteps(send, broker('sns', 'orders.placed'));
    expect(dotted.errors).toEqual([
      './doc.arazzo.yml:10:18: error ASFN1093 step "publish": channel "placed" cannot be used: its server speaks sns and it has no sns binding, so its address names the topic, but "orders.placed" is not an SNS topic name (letters, digits, - and _, at most 256, .fifo allowed) [asyncapi-binding]',
    ]);
  });

  it('lints a receive with no correlationId, a timeout above what a Task can wait, and receive-only fields on a send', async () => {
    const { errors, warnings } = await compileSteps(`  - stepId: publish
    operationId: onConfirmed
    action: send
    timeout: 5
    requestBody: { payload: { id: $inputs.id } }
  - stepId: wait
    operationId: onConfirmed
    action: receive
    timeout: 40000000000
`);
    expect(errors).toEqual([]);
    expect(warnings.filter((w) => /ASFN2(09|105)/.test(w))).toEqual([
      './doc.arazzo.yml:12:14: warning ASFN2092 step "publish" sends a message, which completes once it is published (Arazzo 1.1): timeout is ignored [asyncapi-step-field]',
      './doc.arazzo.yml:14:5: warning ASFN2090 step "wait" receives on channel "confirmed" with no correlationId: the first message on the channel resumes it, whichever execution it was meant for [receive-correlation]',
      './doc.arazzo.yml:17:14: warning ASFN2105 step "wait": timeout 40000000000 ms is longer than its Task can wait: a standard Step Functions execution lasts at most one year; it waits 31536000000 ms [step-timeout-limit]',
    ]);
  });

  it('an AsyncAPI 2.x description is refused at its file (ASFN1090)', async () => {
    const { errors } = await compileSteps(
      `  - stepId: publish
    operationId: onConfirmed
    action: send
`,
      'asyncapi: 2.6.0\ninfo: { title: old, version: "1" }\nchannels: {}\n',
    );
    expect(errors[0]).toBe(
      './events.asyncapi.yml:1:1: error ASFN1090 not an AsyncAPI 3.0 description (missing or unsupported `asyncapi` version; 2.x descriptions are not read) [asyncapi-description]',
    );
  });
});
