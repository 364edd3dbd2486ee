import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineAliasCommand,
  DescribeStateMachineAliasCommand,
  ListStateMachineAliasesCommand,
  UpdateStateMachineAliasCommand,
  DeleteStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ListExecutionsCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
  PublishStateMachineVersionCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  TagResourceCommand,
  TestStateCommand,
  UntagResourceCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { pageHistory, sfnClient, tempDir, waitForEnd } from './support/endpoint-harness.js';

const ROLE = 'arn:aws:iam::000000000000:role/test';
const pass = (result: unknown) => JSON.stringify({ StartAt: 'Answer', States: { Answer: { Type: 'Pass', Result: result, End: true } } });
/** Enters Hold (a few seconds) after Prepare: long enough to be stopped there. */
const HOLD = JSON.stringify({
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.prepare', Next: 'Hold' },
    Hold: { Type: 'Wait', Seconds: 2, Next: 'Done' },
    Done: { Type: 'Pass', Parameters: { 'prepare.$': '$.prepare', done: true, 'redriveCount.$': '$$.Execution.RedriveCount' }, End: true },
  },
});

const OPENAPI = `openapi: 3.1.0
info: { title: flaky, version: '1' }
servers: [{ url: http://unused.example }]
paths:
  /charge:
    post:
      operationId: charge
      responses: { '200': { description: charged } }
`;
const ARAZZO = `arazzo: 1.0.1
info: { title: flaky, version: '1' }
sourceDescriptions: [{ name: flaky, url: ./flaky.openapi.yml, type: openapi }]
workflows:
- workflowId: charge-once
  steps:
  - stepId: charge
    operationId: charge
    successCriteria: [{ condition: $statusCode == 200 }]
    outputs: { id: $response.body#/id }
  outputs: { id: $steps.charge.outputs.id }
`;

describe('the operations beyond start/describe, through @aws-sdk/client-sfn: versions, aliases, update, delete, tags, validation, redrive, Express, TestState', () => {
  let endpoint: SfnEndpoint;
  let client: SFNClient;
  /** StartSyncExecution and TestState: AWS serves them on the sync- host, which the SDK is told not to prefix. */
  let sync: SFNClient;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let provider: Server;
  let charges = 0;
  /** The provider's answer to each call, by call number: held (until released), 503, or 200 (the default). */
  const plan = new Map<number, 'hold' | 503>();
  let release: (() => void) | undefined;

  beforeAll(async () => {
    tmp = await tempDir();
    // A provider whose calls answer as `plan` says: an execution can be stopped while a call is held, or fail on a 503.
    provider = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const call = ++charges;
        res.setHeader('content-type', 'application/json');
        const answer = () => res.end(JSON.stringify({ id: `charge-${call}` }));
        if (plan.get(call) === 'hold') release = answer;
        else if (plan.get(call) === 503) {
          res.statusCode = 503;
          res.end('{"error":"try later"}');
        } else answer();
      });
    });
    await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
    const docs = join(tmp.dir, 'docs');
    await mkdir(docs);
    await writeFile(join(docs, 'flaky.openapi.yml'), OPENAPI);
    await writeFile(join(docs, 'flaky.arazzo.yml'), ARAZZO);
    endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowsDir: docs, serverUrls: { flaky: `http://127.0.0.1:${(provider.address() as AddressInfo).port}` }, retryIntervalMs: 1 });
    client = sfnClient(endpoint);
    sync = sfnClient(endpoint, { disableHostPrefix: true });
  });
  afterAll(async () => {
    client?.destroy();
    sync?.destroy();
    await endpoint?.close();
    await new Promise((r) => provider?.close(r));
    await tmp?.remove();
  });

  it('UpdateStateMachine with publish makes versions; an execution started on a version keeps it, and DescribeStateMachineForExecution shows what it ran', async () => {
    const created = await client.send(new CreateStateMachineCommand({ name: 'versioned', definition: pass('v1'), roleArn: ROLE, publish: true, versionDescription: 'first' }));
    const machine = created.stateMachineArn!;
    expect(created.stateMachineVersionArn).toBe(`${machine}:1`);
    const updated = await client.send(new UpdateStateMachineCommand({ stateMachineArn: machine, definition: pass('v2'), publish: true, versionDescription: 'second' }));
    expect(updated.stateMachineVersionArn).toBe(`${machine}:2`);
    expect(updated.revisionId).toBeTruthy();
    // Publishing the same revision again gives the same version.
    expect((await client.send(new PublishStateMachineVersionCommand({ stateMachineArn: machine }))).stateMachineVersionArn).toBe(`${machine}:2`);
    await expect(client.send(new PublishStateMachineVersionCommand({ stateMachineArn: machine, revisionId: 'not-the-current-one' }))).rejects.toMatchObject({ name: 'ConflictException' });
    // An update without publish changes the machine, not its versions.
    await client.send(new UpdateStateMachineCommand({ stateMachineArn: machine, definition: pass('v3') }));

    const versions = await client.send(new ListStateMachineVersionsCommand({ stateMachineArn: machine }));
    expect(versions.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([`${machine}:2`, `${machine}:1`]);
    const v1 = await client.send(new DescribeStateMachineCommand({ stateMachineArn: `${machine}:1` }));
    expect(v1).toMatchObject({ stateMachineArn: `${machine}:1`, definition: pass('v1'), description: 'first' });
    expect((await client.send(new DescribeStateMachineCommand({ stateMachineArn: machine }))).definition).toBe(pass('v3'));

    const onV1 = await client.send(new StartExecutionCommand({ stateMachineArn: `${machine}:1`, name: 'on-v1' }));
    expect(onV1.executionArn).toBe(`${machine.replace(':stateMachine:', ':execution:')}:on-v1`);
    const latest = await client.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'on-latest' }));
    const ended = await waitForEnd(client, onV1.executionArn!);
    expect(JSON.parse(ended.output!)).toBe('v1');
    expect(ended.stateMachineVersionArn).toBe(`${machine}:1`);
    expect(JSON.parse((await waitForEnd(client, latest.executionArn!)).output!)).toBe('v3');
    expect((await client.send(new DescribeStateMachineForExecutionCommand({ executionArn: onV1.executionArn! }))).definition).toBe(pass('v1'));
    const byVersion = await client.send(new ListExecutionsCommand({ stateMachineArn: `${machine}:1` }));
    expect(byVersion.executions!.map((e) => e.name)).toEqual(['on-v1']);

    await client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${machine}:1` }));
    await expect(client.send(new DescribeStateMachineCommand({ stateMachineArn: `${machine}:1` }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it('an alias routes starts to its version (or two by weight), as a deploy moves it; executions name the alias and the version they ran', async () => {
    // GIVEN a machine with two published versions and the alias live on the first, as the construct publishes them
    const machine = (await client.send(new CreateStateMachineCommand({ name: 'aliased', definition: pass('v1'), roleArn: ROLE, publish: true }))).stateMachineArn!;
    await client.send(new UpdateStateMachineCommand({ stateMachineArn: machine, definition: pass('v2'), publish: true }));
    const live = `${machine}:live`;
    const created = await client.send(new CreateStateMachineAliasCommand({ name: 'live', description: 'what triggers start', routingConfiguration: [{ stateMachineVersionArn: `${machine}:1`, weight: 100 }] }));
    expect(created.stateMachineAliasArn).toBe(live);
    // WHEN an execution starts through the alias, THEN it runs version 1 and says so
    const first = await client.send(new StartExecutionCommand({ stateMachineArn: live, name: 'through-live-1' }));
    const ended = await waitForEnd(client, first.executionArn!);
    expect(JSON.parse(ended.output!)).toBe('v1');
    expect(ended).toMatchObject({ stateMachineArn: machine, stateMachineVersionArn: `${machine}:1`, stateMachineAliasArn: live });
    // WHEN a deploy moves the alias to version 2, THEN new starts run it, and the alias lists the executions it started
    await client.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: live, routingConfiguration: [{ stateMachineVersionArn: `${machine}:2`, weight: 100 }] }));
    const second = await waitForEnd(client, (await client.send(new StartExecutionCommand({ stateMachineArn: live, name: 'through-live-2' }))).executionArn!);
    expect(JSON.parse(second.output!)).toBe('v2');
    expect((await client.send(new ListExecutionsCommand({ stateMachineArn: live }))).executions!.map((e) => e.name).sort()).toEqual(['through-live-1', 'through-live-2']);
    expect(await client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: live }))).toMatchObject({ name: 'live', description: 'what triggers start', routingConfiguration: [{ stateMachineVersionArn: `${machine}:2`, weight: 100 }] });
    // A split routes by weight: both versions run.
    await client.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: live, routingConfiguration: [{ stateMachineVersionArn: `${machine}:1`, weight: 50 }, { stateMachineVersionArn: `${machine}:2`, weight: 50 }] }));
    const outputs = new Set<string>();
    for (let i = 0; i < 40 && outputs.size < 2; i++) outputs.add(JSON.parse((await waitForEnd(client, (await client.send(new StartExecutionCommand({ stateMachineArn: live }))).executionArn!)).output!));
    expect([...outputs].sort()).toEqual(['v1', 'v2']);
    // THEN the service's rules hold: weights sum to 100, a routed version cannot be deleted, names are not numbers
    await expect(client.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: live, routingConfiguration: [{ stateMachineVersionArn: `${machine}:1`, weight: 60 }, { stateMachineVersionArn: `${machine}:2`, weight: 50 }] }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${machine}:1` }))).rejects.toMatchObject({ name: 'ConflictException' });
    await expect(client.send(new CreateStateMachineAliasCommand({ name: '7', routingConfiguration: [{ stateMachineVersionArn: `${machine}:1`, weight: 100 }] }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect((await client.send(new ListStateMachineAliasesCommand({ stateMachineArn: machine }))).stateMachineAliases!.map((a) => a.stateMachineAliasArn)).toEqual([live]);
    await client.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: live }));
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: live }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${machine}:1` }));
  });

  it('a running execution keeps the definition it started with when the machine is updated; DeleteStateMachine lets it finish', async () => {
    const machine = (await client.send(new CreateStateMachineCommand({ name: 'updated-while-running', definition: HOLD, roleArn: ROLE }))).stateMachineArn!;
    const running = await client.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{}' }));
    await client.send(new UpdateStateMachineCommand({ stateMachineArn: machine, definition: pass('changed') }));
    await client.send(new DeleteStateMachineCommand({ stateMachineArn: machine }));
    await expect(client.send(new DescribeStateMachineCommand({ stateMachineArn: machine }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    const ended = await waitForEnd(client, running.executionArn!);
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output!)).toEqual({ prepare: 'prepared', done: true, redriveCount: 0 });
    // Deleting again (or what never existed) succeeds, as on AWS.
    await client.send(new DeleteStateMachineCommand({ stateMachineArn: machine }));
  });

  it('TagResource, UntagResource and ListTagsForResource keep a machine\'s tags; another resource is ResourceNotFound', async () => {
    const machine = (await client.send(new CreateStateMachineCommand({ name: 'tagged', definition: pass(1), roleArn: ROLE, tags: [{ key: 'team', value: 'payments' }] }))).stateMachineArn!;
    await client.send(new TagResourceCommand({ resourceArn: machine, tags: [{ key: 'env', value: 'local' }, { key: 'team', value: 'risk' }] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: machine }))).tags).toEqual([
      { key: 'team', value: 'risk' },
      { key: 'env', value: 'local' },
    ]);
    await client.send(new UntagResourceCommand({ resourceArn: machine, tagKeys: ['team'] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: machine }))).tags).toEqual([{ key: 'env', value: 'local' }]);
    const tooMany = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await expect(client.send(new TagResourceCommand({ resourceArn: machine, tags: tooMany }))).rejects.toMatchObject({ name: 'TooManyTags' });
    await expect(client.send(new ListTagsForResourceCommand({ resourceArn: `${machine}-gone` }))).rejects.toMatchObject({ name: 'ResourceNotFound' });
  });

  it('ValidateStateMachineDefinition answers in the service\'s shape: OK, or FAIL with diagnostics (severity, code, message, location)', async () => {
    expect(await client.send(new ValidateStateMachineDefinitionCommand({ definition: pass(1) }))).toMatchObject({ result: 'OK', diagnostics: [], truncated: false });
    const broken = await client.send(
      new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' }, B: { Type: 'Nope', End: true } } }) }),
    );
    expect(broken.result).toBe('FAIL');
    expect(broken.diagnostics!.length).toBeGreaterThan(0);
    for (const d of broken.diagnostics!) expect(d).toMatchObject({ severity: 'ERROR', code: expect.any(String), message: expect.any(String) });
    expect(broken.diagnostics!.some((d) => d.location === '/States/B/Type')).toBe(true);
    const notJson = await client.send(new ValidateStateMachineDefinitionCommand({ definition: '{' }));
    expect(notJson).toMatchObject({ result: 'FAIL', diagnostics: [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION' }] });
    const one = await client.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Nope' }, B: { Type: 'Nope' } } }), maxResults: 1 }));
    expect(one.diagnostics).toHaveLength(1);
    expect(one.truncated).toBe(true);
  });

  it('RedriveExecution resumes a stopped execution at the state it was in, with that state\'s input; the history goes on after ExecutionRedriven', async () => {
    const machine = (await client.send(new CreateStateMachineCommand({ name: 'redrive-after-stop', definition: HOLD, roleArn: ROLE }))).stateMachineArn!;
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'stopped-in-hold', input: '{"order":7}' }));
    await expect.poll(async () => (await pageHistory(client, executionArn!)).events.some((e) => e.stateEnteredEventDetails?.name === 'Hold'), { timeout: 10_000, interval: 20 }).toBe(true);
    await client.send(new StopExecutionCommand({ executionArn, error: 'Ops.Paused' }));
    const stopped = await waitForEnd(client, executionArn!);
    expect(stopped).toMatchObject({ status: 'ABORTED', redriveStatus: 'REDRIVABLE' });
    const before = (await pageHistory(client, executionArn!)).events;

    const { redriveDate } = await client.send(new RedriveExecutionCommand({ executionArn }));
    expect(redriveDate).toBeInstanceOf(Date);
    const ended = await waitForEnd(client, executionArn!);
    expect(ended).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
    // The context object says so ($$.Execution.RedriveCount).
    expect(JSON.parse(ended.output!)).toEqual({ prepare: 'prepared', done: true, redriveCount: 1 });
    const after = (await pageHistory(client, executionArn!)).events;
    expect(after.slice(0, before.length).map((e) => [e.id, e.type])).toEqual(before.map((e) => [e.id, e.type]));
    expect(after[before.length]).toMatchObject({ id: before.length + 1, type: 'ExecutionRedriven', executionRedrivenEventDetails: { redriveCount: 1 } });
    // Prepare is not run again: the redriven run starts at Hold.
    expect(after.slice(before.length + 1).map((e) => e.type)).toEqual(['WaitStateEntered', 'WaitStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    expect(after.map((e) => e.id)).toEqual(after.map((_, i) => i + 1));

    await expect(client.send(new RedriveExecutionCommand({ executionArn }))).rejects.toMatchObject({ name: 'ExecutionNotRedrivable' });
    const redriven = await client.send(new ListExecutionsCommand({ stateMachineArn: machine, redriveFilter: 'REDRIVEN' }));
    expect(redriven.executions!.map((e) => [e.name, e.redriveCount])).toEqual([['stopped-in-hold', 1]]);
    expect((await client.send(new ListExecutionsCommand({ stateMachineArn: machine, redriveFilter: 'NOT_REDRIVEN' }))).executions).toEqual([]);
  });

  it('RedriveExecution of a compiled workflow stopped during a step runs that step again; one that failed into its Fail state fails there again, as on AWS', async () => {
    const machine = endpoint.stateMachines.find((m) => m.name === 'charge-once')!.arn;
    plan.set(1, 'hold');
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'charge-stopped', input: '{}' }));
    await expect.poll(() => charges, { timeout: 10_000 }).toBe(1);
    await client.send(new StopExecutionCommand({ executionArn }));
    expect((await waitForEnd(client, executionArn!)).status).toBe('ABORTED');
    release?.();
    await client.send(new RedriveExecutionCommand({ executionArn }));
    const ended = await waitForEnd(client, executionArn!);
    expect(ended.status, `${ended.error}: ${ended.cause}`).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output!)).toEqual({ id: 'charge-2' });
    const events = (await pageHistory(client, executionArn!)).events;
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types.indexOf('ExecutionRedriven')).toBe(types.indexOf('ExecutionAborted') + 1);
    // The redriven run starts at the step's Task (input validation is not run again).
    expect(events[types.indexOf('ExecutionRedriven') + 1].stateEnteredEventDetails?.name).toBe('charge');
    expect(types.at(-1)).toBe('ExecutionSucceeded');

    // A step that fails is caught into its Fail state: that is the state the execution failed in, so a redrive fails there again without calling the provider.
    plan.set(3, 503);
    const failing = await client.send(new StartExecutionCommand({ stateMachineArn: machine, name: 'charge-declined', input: '{}' }));
    expect((await waitForEnd(client, failing.executionArn!)).status).toBe('FAILED');
    await client.send(new RedriveExecutionCommand({ executionArn: failing.executionArn }));
    expect(await waitForEnd(client, failing.executionArn!)).toMatchObject({ status: 'FAILED', error: 'Arazzo.StepFailed', redriveCount: 1 });
    const again = (await pageHistory(client, failing.executionArn!)).events;
    expect(again.slice(again.findIndex((e) => e.type === 'ExecutionRedriven')).map((e) => e.type)).toEqual(['ExecutionRedriven', 'FailStateEntered', 'ExecutionFailed']);
    expect(charges).toBe(3);
  });

  it('StartSyncExecution runs an EXPRESS machine to its end (the SDK told not to prefix the host with sync-); a STANDARD one is refused', async () => {
    const express = (await client.send(new CreateStateMachineCommand({ name: 'express-echo', definition: JSON.stringify({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', Parameters: { 'got.$': '$.x' }, End: true } } }), roleArn: ROLE, type: 'EXPRESS' }))).stateMachineArn!;
    const answer = await sync.send(new StartSyncExecutionCommand({ stateMachineArn: express, name: 'now', input: '{"x":42}' }));
    expect(answer).toMatchObject({ status: 'SUCCEEDED', name: 'now', stateMachineArn: express });
    expect(JSON.parse(answer.output!)).toEqual({ got: 42 });
    expect(answer.executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:express:express-echo:now:/);
    expect(answer.stopDate!.getTime()).toBeGreaterThanOrEqual(answer.startDate!.getTime());
    const machine = (await client.send(new CreateStateMachineCommand({ name: 'standard-echo', definition: pass(1), roleArn: ROLE }))).stateMachineArn!;
    await expect(sync.send(new StartSyncExecutionCommand({ stateMachineArn: machine }))).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
  });

  it('TestState runs one state: Pass and Choice without mocks, a Task with a mocked result or error (caught or not)', async () => {
    const client = sync;
    const passed = await client.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($.a, $.b)' }, Next: 'After' }), input: '{"a":2,"b":3}', roleArn: ROLE }));
    expect(passed).toMatchObject({ status: 'SUCCEEDED', nextState: 'After' });
    expect(JSON.parse(passed.output!)).toEqual({ sum: 5 });

    const choice = JSON.stringify({ Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }], Default: 'Small' });
    expect(await client.send(new TestStateCommand({ definition: choice, input: '{"n":11}' }))).toMatchObject({ status: 'SUCCEEDED', nextState: 'Big' });
    expect(await client.send(new TestStateCommand({ definition: choice, input: '{"n":1}' }))).toMatchObject({ status: 'SUCCEEDED', nextState: 'Small' });

    const task = {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'charge', 'Payload.$': '$' },
      ResultSelector: { 'id.$': '$.Payload.id' },
      ResultPath: '$.charge',
      Catch: [{ ErrorEquals: ['Card.Declined'], Next: 'Declined' }],
      Next: 'Charged',
    };
    const ok = await client.send(new TestStateCommand({ definition: JSON.stringify(task), input: '{"amount":5}', mock: { result: '{"Payload":{"id":"ch_1"}}' }, inspectionLevel: 'DEBUG' }));
    expect(ok).toMatchObject({ status: 'SUCCEEDED', nextState: 'Charged' });
    expect(JSON.parse(ok.output!)).toEqual({ amount: 5, charge: { id: 'ch_1' } });
    expect(JSON.parse(ok.inspectionData!.input!)).toEqual({ amount: 5 });
    const caught = await client.send(new TestStateCommand({ definition: JSON.stringify(task), input: '{}', mock: { errorOutput: { error: 'Card.Declined', cause: 'insufficient funds' } } }));
    expect(caught).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Declined', error: 'Card.Declined', cause: 'insufficient funds' });
    const failed = await client.send(new TestStateCommand({ definition: JSON.stringify(task), input: '{}', mock: { errorOutput: { error: 'Card.Stolen', cause: 'call the bank' } } }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Card.Stolen', cause: 'call the bank' });
    await expect(client.send(new TestStateCommand({ definition: JSON.stringify(task), input: '{}' }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect(await client.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Fail', Error: 'Nope', Cause: 'by design' }) }))).toMatchObject({ status: 'FAILED', error: 'Nope', cause: 'by design' });
  });

  it('DescribeExecution says why an execution is not redrivable', async () => {
    const machine = (await client.send(new CreateStateMachineCommand({ name: 'done-once', definition: pass(1), roleArn: ROLE }))).stateMachineArn!;
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine }));
    await waitForEnd(client, executionArn!);
    expect(await client.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven' });
    await expect(client.send(new RedriveExecutionCommand({ executionArn }))).rejects.toMatchObject({ name: 'ExecutionNotRedrivable' });
  });
});
