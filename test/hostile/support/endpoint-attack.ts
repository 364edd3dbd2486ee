/**
 * One attack on the local endpoint, in a process of its own (test/hostile/endpoint.test.ts runs it
 * under runBounded's kill limits): starts a real endpoint, attacks it over loopback with the real
 * SDK client or raw HTTP, and prints what it observed as one JSON line.
 * Usage: node --import tsx endpoint-attack.ts <attack>
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { startSfnEndpoint, type SfnEndpoint, type SfnEndpointOptions } from '../../../local/sfn-endpoint/index.js';

const ROLE = 'arn:aws:iam::000000000000:role/hostile';
export const SECRET = 'hostile-s3cr3t-9f2c4e';

const client = (endpoint: SfnEndpoint, accessKeyId = 'AKIDHOSTILE') =>
  new SFNClient({ endpoint: endpoint.url, region: endpoint.region, credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });

const LOOP = { StartAt: 'Spin', States: { Spin: { Type: 'Pass', Next: 'Again' }, Again: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Spin' }], Default: 'Done' }, Done: { Type: 'Succeed' } } };

/** 30 Pass states, each doubling `$.s` with States.Format: 2^30 times the input if nothing stops it. */
function doublingChain(): object {
  const states: Record<string, object> = {};
  for (let i = 0; i < 30; i++) states[`Double${i}`] = { Type: 'Pass', Parameters: { 's.$': "States.Format('{}{}', $.s, $.s)" }, ...(i === 29 ? { End: true } : { Next: `Double${i + 1}` }) };
  return { StartAt: 'Double0', States: states };
}

async function machine(sfn: SFNClient, name: string, definition: object): Promise<string> {
  return (await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }))).stateMachineArn!;
}

async function waitForEnd(sfn: SFNClient, executionArn: string, probe?: (ms: number) => void) {
  for (;;) {
    const asked = performance.now();
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    probe?.(performance.now() - asked);
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function allEvents(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: false }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** A raw request, so the Host and Authorization headers are exactly what the attack sends. */
function raw(url: string, headers: Record<string, string>, body = '{}'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Attack = (endpoint: SfnEndpoint) => Promise<Record<string, unknown>>;

const attacks: Record<string, { options?: SfnEndpointOptions; run: Attack }> = {
  /** A Pass/Choice loop that never ends: the API keeps answering, the history quota ends it. */
  'runaway-loop': {
    run: async (endpoint) => {
      const sfn = client(endpoint);
      const arn = await machine(sfn, 'spin', LOOP);
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"go":true}' }));
      let slowestMs = 0;
      const ended = await waitForEnd(sfn, executionArn!, (ms) => (slowestMs = Math.max(slowestMs, ms)));
      const events = await allEvents(sfn, executionArn!);
      return { status: ended.status, error: ended.error, events: events.length, last: events.at(-1)?.type, slowestDescribeMs: Math.round(slowestMs) };
    },
  },
  /** The same loop with no history quota to end it: StopExecution still stops it, and the API still answers meanwhile. */
  'runaway-loop-stopped': {
    options: { executions: { quotas: { maxHistoryEvents: Number.MAX_SAFE_INTEGER, historyDataBytes: 0 }, abortGraceMs: 500 } },
    run: async (endpoint) => {
      const sfn = client(endpoint);
      const arn = await machine(sfn, 'spin', LOOP);
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"go":true}' }));
      let slowestMs = 0;
      for (let i = 0; i < 20; i++) {
        const asked = performance.now();
        await sfn.send(new ListStateMachinesCommand({}));
        slowestMs = Math.max(slowestMs, performance.now() - asked);
        await new Promise((r) => setTimeout(r, 25));
      }
      const asked = performance.now();
      await sfn.send(new StopExecutionCommand({ executionArn, error: 'Hostile.Stop', cause: 'stopped by the test' }));
      const stopMs = performance.now() - asked;
      const ended = await waitForEnd(sfn, executionArn!);
      // A new execution after the stop runs on a fresh worker.
      const { executionArn: after } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"go":false}' }));
      const next = await waitForEnd(sfn, after!);
      return { status: ended.status, error: ended.error, stopMs: Math.round(stopMs), slowestListMs: Math.round(slowestMs), nextStatus: next.status };
    },
  },
  /**
   * The loop on the one worker an execution waiting in a Wait already runs on: the stalled worker
   * gets no new executions (one started meanwhile runs on another), and when the loop's stop
   * terminates the worker, the waiting execution is redriven on another worker and ends SUCCEEDED.
   */
  'runaway-beside-others': {
    options: { executions: { workers: 1, quotas: { maxHistoryEvents: Number.MAX_SAFE_INTEGER, historyDataBytes: 64 * 1024 }, abortGraceMs: 500, stallMs: 300 } },
    run: async (endpoint) => {
      const sfn = client(endpoint);
      const patientArn = await machine(sfn, 'patient', {
        StartAt: 'Prepare',
        States: {
          Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.prepare', Next: 'Hold' },
          Hold: { Type: 'Wait', Seconds: 1, Next: 'Done' },
          Done: { Type: 'Pass', End: true },
        },
      });
      const { executionArn: patient } = await sfn.send(new StartExecutionCommand({ stateMachineArn: patientArn, input: '{}' }));
      while (!(await allEvents(sfn, patient!)).some((e) => e.type === 'WaitStateEntered')) await new Promise((r) => setTimeout(r, 20));
      const spin = await machine(sfn, 'spin', LOOP);
      const { executionArn: runaway } = await sfn.send(new StartExecutionCommand({ stateMachineArn: spin, input: '{"go":true}' }));
      // Past the stall bound, a new execution goes to another worker and ends while the loop still spins.
      await new Promise((r) => setTimeout(r, 1_000));
      const small = await machine(sfn, 'small', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
      const { executionArn: late } = await sfn.send(new StartExecutionCommand({ stateMachineArn: small }));
      const lateStatus = (await waitForEnd(sfn, late!)).status;
      const runawayWhileLate = (await sfn.send(new DescribeExecutionCommand({ executionArn: runaway }))).status;
      await sfn.send(new StopExecutionCommand({ executionArn: runaway, error: 'Hostile.Stop' }));
      const stopped = await waitForEnd(sfn, runaway!);
      const ended = await waitForEnd(sfn, patient!);
      const types = (await allEvents(sfn, patient!)).map((e) => e.type);
      return {
        runaway: stopped.status,
        lateStatus,
        runawayWhileLate,
        patient: ended.status,
        patientRedrives: ended.redriveCount ?? 0,
        afterLoss: types.slice(types.indexOf('ExecutionFailed'), types.indexOf('ExecutionFailed') + 3),
        last: types.at(-1),
      };
    },
  },
  /** A chain of Pass states doubling a string with States.Format. */
  'format-doubling': {
    run: async (endpoint) => {
      const sfn = client(endpoint);
      const arn = await machine(sfn, 'doubling', doublingChain());
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ s: 'x'.repeat(1024) }) }));
      const ended = await waitForEnd(sfn, executionArn!);
      const events = await allEvents(sfn, executionArn!);
      return { status: ended.status, error: ended.error, cause: ended.cause, events: events.length, dbBytes: statSync(endpoint.dbFile).size };
    },
  },
  /** A loop carrying a 16 KiB payload until the history quota: past its data budget (1 MiB here) the history keeps no more data. */
  'big-payload-loop': {
    options: { executions: { quotas: { historyDataBytes: 1024 * 1024 } } },
    run: async (endpoint) => {
      const sfn = client(endpoint);
      const arn = await machine(sfn, 'heavy-spin', LOOP);
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ go: true, s: 'y'.repeat(16 * 1024) }) }));
      const ended = await waitForEnd(sfn, executionArn!);
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, reverseOrder: true }));
      const truncated = history.events!.filter((e) => e.stateEnteredEventDetails?.inputDetails?.truncated || e.stateExitedEventDetails?.outputDetails?.truncated).length;
      return { status: ended.status, error: ended.error, truncatedInLastPage: truncated, dbBytes: statSync(endpoint.dbFile).size + (statSync(`${endpoint.dbFile}-wal`, { throwIfNoEntry: false })?.size ?? 0) };
    },
  },
  /** One state that builds 400 MB in a single intrinsic call: refused by the payload quota, without copying it again. */
  'one-state-allocation': {
    run: async (endpoint) => {
      const sfn = client(endpoint);
      // One States.Format of 2,000 copies of a 200 KiB input: 400 MB in a single state.
      const format = `States.Format('${'{}'.repeat(2000)}', ${Array(2000).fill('$.s').join(', ')})`;
      const arn = await machine(sfn, 'allocate', { StartAt: 'Bomb', States: { Bomb: { Type: 'Pass', Parameters: { 'r.$': format }, End: true } } });
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ s: 'w'.repeat(200 * 1024) }) }));
      const ended = await waitForEnd(sfn, executionArn!);
      const listed = await sfn.send(new ListStateMachinesCommand({}));
      // The next execution gets a fresh worker.
      const { executionArn: after } = await sfn.send(new StartExecutionCommand({ stateMachineArn: await machine(sfn, 'small', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }));
      const next = await waitForEnd(sfn, after!);
      return { status: ended.status, error: ended.error, cause: ended.cause, machines: listed.stateMachines?.length, nextStatus: next.status };
    },
  },
  /** A Map whose 3,000 iterations each build 200 KB (each under the quota): the worker passes its memory limit (96 MiB) and dies, the endpoint answers on. */
  'worker-memory': {
    options: { executions: { maxWorkerMemoryMb: 96 } },
    run: async (endpoint) => {
      const sfn = client(endpoint);
      const arn = await machine(sfn, 'grow', {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            Parameters: { 's.$': '$.s' },
            Iterator: { StartAt: 'Grow', States: { Grow: { Type: 'Pass', Parameters: { 'g.$': "States.Format('{}{}', $.s, $.s)" }, End: true } } },
            End: true,
          },
        },
      });
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ s: 'm'.repeat(100 * 1024), items: Array.from({ length: 3_000 }, (_, i) => i) }) }));
      const ended = await waitForEnd(sfn, executionArn!);
      const listed = await sfn.send(new ListStateMachinesCommand({}));
      const { executionArn: after } = await sfn.send(new StartExecutionCommand({ stateMachineArn: await machine(sfn, 'small', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }));
      const next = await waitForEnd(sfn, after!);
      return { status: ended.status, error: ended.error, cause: ended.cause, machines: listed.stateMachines?.length, nextStatus: next.status };
    },
  },
  /** A Wait of a day against a maximum duration of one second. */
  'max-duration': {
    options: { executions: { quotas: { maxDurationMs: 1_000 } } },
    run: async (endpoint) => {
      const sfn = client(endpoint);
      const arn = await machine(sfn, 'wait-a-day', { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 86_400, End: true } } });
      const started = performance.now();
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
      const ended = await waitForEnd(sfn, executionArn!);
      const events = await allEvents(sfn, executionArn!);
      return { status: ended.status, error: ended.error, last: events.at(-1)?.type, elapsedMs: Math.round(performance.now() - started) };
    },
  },
  /** Input past 256 KiB, and input that is not JSON, both carrying a credential: refused without echoing it. */
  'oversized-input': {
    run: async (endpoint) => {
      const sfn = client(endpoint);
      const arn = await machine(sfn, 'echo', { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } });
      const refusal = async (input: string) => {
        try {
          await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input }));
          return { name: 'accepted', message: '' };
        } catch (err) {
          return { name: (err as Error).name, message: (err as Error).message };
        }
      };
      const big = await refusal(JSON.stringify({ token: SECRET, pad: 'z'.repeat(300 * 1024) }));
      const notJson = await refusal(`{"token": "${SECRET}" oops`);
      return { big, notJson };
    },
  },
  /** DNS rebinding: a page's request reaches loopback under the attacker's name. */
  'host-header': {
    run: async (endpoint) => {
      const port = new URL(endpoint.url).port;
      const status = async (host: string) => (await raw(endpoint.url, { host })).status;
      const refused = await raw(endpoint.url, { host: `rebind.attacker.example:${port}` });
      return {
        attacker: refused.status,
        attackerBody: refused.body,
        bare: await status('attacker.example'),
        localhost: await status(`localhost:${port}`),
        loopback: await status(`127.0.0.1:${port}`),
        otherLoopback: await status(`127.8.9.10:${port}`),
        ipv6: await status(`[::1]:${port}`),
        syncPrefix: await status(`sync-127.0.0.1:${port}`),
        lookalike: await status(`127.0.0.1.attacker.example:${port}`),
      };
    },
  },
  /** With --token: unsigned, wrongly signed and correctly signed calls. */
  token: {
    options: { token: 'hostile-endpoint-token' },
    run: async (endpoint) => {
      const unsigned = await raw(endpoint.url, { host: new URL(endpoint.url).host });
      const outcome = async (accessKeyId: string) => {
        try {
          await client(endpoint, accessKeyId).send(new ListStateMachinesCommand({}));
          return 'ok';
        } catch (err) {
          return (err as Error).name;
        }
      };
      return { unsigned: unsigned.status, wrong: await outcome('AKIDWRONG'), right: await outcome('hostile-endpoint-token') };
    },
  },
};

const name = process.argv[2];
const attack = attacks[name];
if (!attack) {
  process.stderr.write(`unknown attack ${name}\n`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'arazzo-sfn-hostile-'));
const empty = join(dir, 'no-workflows');
const endpoint = await startSfnEndpoint({ dbFile: join(dir, 'endpoint.db'), workflowsDir: empty, ...attack.options });
try {
  const observed = await attack.run(endpoint);
  process.stdout.write(JSON.stringify(observed) + '\n');
} finally {
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
}
