import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOverlay, START_NODE, type ExecutionOverlay } from '../../../local/graph/index.js';
import { historyToJson } from '../../../local/history/index.js';
import { SEED_000, seed000Input, startSeedHarness, type SeedHarness } from '../../integration/support/seed-harness.js';
import { lambdaArn, runMachine } from '../history/run-machine.js';

const POLL = 'getCustomerVerificationById';

const statuses = (overlay: ExecutionOverlay) => Object.fromEntries([...overlay.states].map(([name, run]) => [name, `${run.status}×${run.visits}`]));
const edgeCounts = (overlay: ExecutionOverlay) => {
  const counts: Record<string, number> = {};
  for (const t of overlay.transitions) {
    const key = `${t.from === START_NODE ? 'START' : t.from} → ${t.to}${t.caught ? ' (caught)' : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

describe('computeOverlay on seed 000 executions (embedded engine against the sandbox)', () => {
  let harness: SeedHarness;

  beforeAll(async () => {
    harness = await startSeedHarness();
    await harness.mintToken('customer', 'customersToken');
  });
  afterAll(() => harness.close());

  it('pending ×3 then verified: the poll loop entered 4 times, its Wait 3, each transition counted, the rest not entered', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending3+verified@example.com'));
    expect(run.execution.status).toBe('SUCCEEDED');
    const overlay = computeOverlay(run.history);

    expect(statuses(overlay)).toEqual({
      'Validate inputs': 'succeeded×1',
      createCustomer: 'succeeded×1',
      startVerification: 'succeeded×1',
      pollVerification: 'succeeded×4',
      'pollVerification.route': 'succeeded×4',
      'pollVerification.wait': 'succeeded×3',
      'pollVerification.end': 'succeeded×1',
    });
    expect(overlay.entered).toEqual([
      'Validate inputs',
      'createCustomer',
      'startVerification',
      'pollVerification',
      'pollVerification.route',
      'pollVerification.wait',
      'pollVerification.end',
    ]);
    expect(edgeCounts(overlay)).toEqual({
      'START → Validate inputs': 1,
      'Validate inputs → createCustomer': 1,
      'createCustomer → startVerification': 1,
      'startVerification → pollVerification': 1,
      'pollVerification → pollVerification.route': 4,
      'pollVerification.route → pollVerification.wait': 3,
      'pollVerification.wait → pollVerification': 3,
      'pollVerification.route → pollVerification.end': 1,
    });
    expect([...overlay.states.values()].every((s) => s.retries === 0 && s.error === undefined)).toBe(true);
    expect(overlay.summary).toMatchObject({ status: 'SUCCEEDED', eventCount: run.history.length });
    expect(overlay.summary.startDate!.getTime()).toBe(run.history[0].timestamp!.getTime());
    expect(overlay.summary.stopDate!.getTime()).toBe(run.history.at(-1)!.timestamp!.getTime());

    // The JSON the AWS CLI prints (ISO timestamps) reads the same as the SDK's objects.
    const fromJson = computeOverlay(JSON.parse(run.historyJson).events);
    expect(statuses(fromJson)).toEqual(statuses(overlay));
    expect(fromJson.transitions).toEqual(overlay.transitions);
    expect(fromJson.summary).toEqual(overlay.summary);
  });

  it('a 400 on createCustomer: the Task is caught with Arazzo.StepFailed, its Fail state fails the execution with it', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane@example.com'), { faults: [{ operationId: 'createCustomer', status: 400 }] });
    expect(run.execution.status).toBe('FAILED');
    const overlay = computeOverlay(run.history);
    expect(statuses(overlay)).toEqual({ 'Validate inputs': 'succeeded×1', createCustomer: 'caught×1', 'createCustomer.failed': 'failed×1' });
    expect(overlay.states.get('createCustomer')).toMatchObject({ error: 'Arazzo.StepFailed', cause: expect.stringContaining('createCustomer') });
    expect(overlay.states.get('createCustomer.failed')).toMatchObject({ error: 'Arazzo.StepFailed', cause: run.execution.cause });
    expect(edgeCounts(overlay)['createCustomer → createCustomer.failed (caught)']).toBe(1);
    expect(overlay.summary).toMatchObject({ status: 'FAILED', error: 'Arazzo.StepFailed', cause: run.execution.cause });
  });

  it('counts the retries the Task Retry made (a 503 twice on the first poll) without counting them as visits', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending1+verified@example.com'), { faults: [{ operationId: POLL, status: 503, times: 2 }] });
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.callsTo(POLL)).toBe(4);
    const poll = computeOverlay(run.history).states.get('pollVerification')!;
    // Retries of the latest visit: the second poll went through at once.
    expect(poll).toMatchObject({ status: 'succeeded', visits: 2 });
    const first = computeOverlay(run.history.slice(0, run.history.findIndex((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'pollVerification') + 1));
    expect(first.states.get('pollVerification')).toMatchObject({ status: 'succeeded', visits: 1, retries: 2 });
  });

  it('a history cut short (the execution still running) leaves the current state in progress and no stop date', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+pending3+verified@example.com'));
    const secondPoll = run.history.filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'pollVerification')[1];
    const partial = run.history.slice(0, run.history.indexOf(secondPoll) + 2);
    const overlay = computeOverlay(partial);
    expect(overlay.states.get('pollVerification')).toMatchObject({ status: 'in-progress', visits: 2 });
    expect(overlay.summary.status).toBe('RUNNING');
    expect(overlay.summary.stopDate).toBeUndefined();
    expect(overlay.states.has('pollVerification.end')).toBe(false);
  });

  it('DescribeExecution fields override what the history implies', async () => {
    const run = await harness.run(SEED_000, seed000Input('jane+verified@example.com'));
    const overlay = computeOverlay(run.history, { executionArn: run.execution.executionArn, name: run.execution.name, startDate: '2030-01-01T00:00:00.000Z' });
    expect(overlay.summary).toMatchObject({ executionArn: run.execution.executionArn, name: run.execution.name, status: 'SUCCEEDED' });
    expect(overlay.summary.startDate!.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
});

describe('computeOverlay on engine histories of Map, Parallel and aborted executions', () => {
  it('follows the top-level machine only: a Map iteration state named like a top-level state is not a visit of it', async () => {
    const { events } = await runMachine(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: { StartAt: 'Both', States: { Both: { Type: 'Task', Resource: lambdaArn('double'), End: true } } },
            ResultPath: '$.doubled',
            Next: 'Both',
          },
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Left', States: { Left: { Type: 'Pass', Result: 'l', End: true } } },
              { StartAt: 'Right', States: { Right: { Type: 'Pass', Result: 'r', End: true } } },
            ],
            End: true,
          },
        },
      },
      { items: [1, 2, 3] },
      { Both: (n: any) => n * 2 },
    );
    expect(events.filter((e) => e.stateEnteredEventDetails?.name === 'Both')).toHaveLength(4);
    const overlay = computeOverlay(events);
    expect(statuses(overlay)).toEqual({ Each: 'succeeded×1', Both: 'succeeded×1' });
    expect(edgeCounts(overlay)).toEqual({ 'START → Each': 1, 'Each → Both': 1 });
    expect(overlay.summary.status).toBe('SUCCEEDED');
  });

  it('an aborted execution marks the state it was in as aborted', async () => {
    const { events } = await runMachine(
      { StartAt: 'first', States: { first: { Type: 'Pass', Next: 'pause' }, pause: { Type: 'Wait', Seconds: 30, Next: 'done' }, done: { Type: 'Succeed' } } },
      {},
      {},
      {},
      { abortAfterMs: 50 },
    );
    const overlay = computeOverlay(events);
    expect(statuses(overlay)).toEqual({ first: 'succeeded×1', pause: 'aborted×1' });
    expect(overlay.summary.status).toBe('ABORTED');
  });

  it('reads events in id order whatever order they come in (get-execution-history --reverse-order)', async () => {
    const { events } = await runMachine(
      { StartAt: 'a', States: { a: { Type: 'Pass', Next: 'b' }, b: { Type: 'Pass', Next: 'c' }, c: { Type: 'Succeed' } } },
      {},
    );
    const reversed = historyToJson(events).events.reverse();
    expect(computeOverlay(reversed).transitions).toEqual(computeOverlay(events).transitions);
    expect(computeOverlay(reversed).entered).toEqual(['a', 'b', 'c']);
  });
});
