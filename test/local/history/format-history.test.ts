import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { formatHistory } from '../../../local/history/index.js';
import { arazzoError, lambdaArn, runMachine } from './run-machine.js';

const EPOCH = Date.UTC(2025, 0, 1);

/** Real runs take real time; pin each event 7 ms after the previous one so the table is exact. */
const pinTimestamps = (events: HistoryEvent[]) => events.map((e) => ({ ...e, timestamp: new Date(EPOCH + (e.id! - 1) * 7) }));

async function retriedThenCaught(cause = 'got 402\nsecond line') {
  let attempts = 0;
  const { events } = await runMachine(
    {
      StartAt: 'createPayment',
      States: {
        createPayment: {
          Type: 'Task',
          Resource: lambdaArn('arazzo-sfn-payments-create'),
          Parameters: { step: 'createPayment', 'inputs.$': '$.inputs' },
          ResultPath: '$.steps.createPayment',
          TimeoutSeconds: 40,
          Retry: [{ ErrorEquals: ['Arazzo.ProviderUnavailable'], IntervalSeconds: 1, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'createPayment.failed' }],
          Next: 'done',
        },
        'createPayment.failed': { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
        done: { Type: 'Succeed' },
      },
    },
    { inputs: { amount: 5 } },
    {
      createPayment: async () => {
        attempts += 1;
        if (attempts < 2) throw arazzoError('Arazzo.ProviderUnavailable', '503 from provider');
        throw arazzoError('Arazzo.StepFailed', cause);
      },
    },
    { retryIntervalOverrides: { createPayment: 0 } },
  );
  return pinTimestamps(events);
}

async function loopThenSucceed() {
  let visits = 0;
  const { events } = await runMachine(
    {
      StartAt: 'poll',
      States: {
        poll: { Type: 'Task', Resource: lambdaArn('arazzo-sfn-jobs-get'), ResultPath: '$.job', Next: 'route' },
        route: {
          Type: 'Choice',
          Choices: [{ Variable: '$.job.done', BooleanEquals: false, Next: 'pause' }],
          Default: 'finish',
        },
        pause: { Type: 'Wait', Seconds: 5, Next: 'poll' },
        finish: { Type: 'Succeed', OutputPath: '$.job' },
      },
    },
    {},
    { poll: async () => ({ done: ++visits > 1 }) },
    { waitTimeOverrides: { pause: 0 } },
  );
  return pinTimestamps(events);
}

describe('formatHistory', () => {
  it('lays out a retried, caught and failed Task as the console Events table', async () => {
    expect(formatHistory(await retriedThenCaught())).toBe(
      [
        'ID  TYPE                     STEP                  ELAPSED(ms)  DETAIL',
        ' 1  ExecutionStarted                                         0',
        ' 2  TaskStateEntered         createPayment                   7',
        ' 3  LambdaFunctionScheduled  createPayment                  14  arazzo-sfn-payments-create (timeout 40s)',
        ' 4  LambdaFunctionStarted    createPayment                  21',
        ' 5  LambdaFunctionFailed     createPayment                  28  Arazzo.ProviderUnavailable: 503 from provider',
        ' 6  LambdaFunctionScheduled  createPayment                  35  arazzo-sfn-payments-create (timeout 40s)  attempt 2',
        ' 7  LambdaFunctionStarted    createPayment                  42',
        ' 8  LambdaFunctionFailed     createPayment                  49  Arazzo.StepFailed: got 402 second line',
        ' 9  TaskStateExited          createPayment                  56  caught Arazzo.StepFailed',
        '10  FailStateEntered         createPayment.failed           63',
        '11  ExecutionFailed                                         70  Arazzo.StepFailed: got 402 second line',
      ].join('\n'),
    );
  });

  it('shows Lambda outcomes and nothing for Choice and Wait on a successful loop', async () => {
    expect(formatHistory(await loopThenSucceed())).toBe(
      [
        'ID  TYPE                     STEP    ELAPSED(ms)  DETAIL',
        ' 1  ExecutionStarted                           0',
        ' 2  TaskStateEntered         poll              7',
        ' 3  LambdaFunctionScheduled  poll             14  arazzo-sfn-jobs-get',
        ' 4  LambdaFunctionStarted    poll             21',
        ' 5  LambdaFunctionSucceeded  poll             28  succeeded in 14 ms',
        ' 6  TaskStateExited          poll             35',
        ' 7  ChoiceStateEntered       route            42',
        ' 8  ChoiceStateExited        route            49',
        ' 9  WaitStateEntered         pause            56',
        '10  WaitStateExited          pause            63',
        '11  TaskStateEntered         poll             70',
        '12  LambdaFunctionScheduled  poll             77  arazzo-sfn-jobs-get',
        '13  LambdaFunctionStarted    poll             84',
        '14  LambdaFunctionSucceeded  poll             91  succeeded in 14 ms',
        '15  TaskStateExited          poll             98',
        '16  ChoiceStateEntered       route           105',
        '17  ChoiceStateExited        route           112',
        '18  SucceedStateEntered      finish          119',
        '19  SucceedStateExited       finish          126',
        '20  ExecutionSucceeded                       133',
      ].join('\n'),
    );
  });

  it('appends input and output JSON with showData', async () => {
    const lines = formatHistory(await retriedThenCaught(), { showData: true }).split('\n');
    expect(lines[1]).toMatch(/ExecutionStarted +0 {2}input: \{"inputs":\{"amount":5\}\}$/);
    expect(lines[3]).toMatch(/\(timeout 40s\) {2}input: \{"step":"createPayment","inputs":\{"amount":5\}\}$/);
    expect(lines[9]).toMatch(
      /caught Arazzo\.StepFailed {2}output: \{"inputs":\{"amount":5\},"error":\{"Error":"Arazzo\.StepFailed","Cause":"got 402\\nsecond line"\}\}$/,
    );
    expect(lines[5]).toMatch(/Arazzo\.ProviderUnavailable: 503 from provider$/);
    const succeeded = formatHistory(await loopThenSucceed(), { showData: true }).split('\n');
    expect(succeeded[5]).toMatch(/succeeded in 14 ms {2}output: \{"done":false\}$/);
    expect(succeeded[20]).toMatch(/ExecutionSucceeded +133 {2}output: \{"done":true\}$/);
  });

  it('cuts long data and causes to about 200 characters and strips terminal controls', async () => {
    const cause = `\u001b[2J${'x'.repeat(500)}`;
    const events = await retriedThenCaught(cause);
    const lines = formatHistory(events, { showData: true }).split('\n');
    const failed = lines[8];
    expect(failed).not.toContain('\u001b');
    expect(failed).toContain(`Arazzo.StepFailed: [2J${'x'.repeat(196)}…`);
    expect(failed).not.toContain('x'.repeat(200));
    const exited = lines[9];
    const output = exited.slice(exited.indexOf('output: ') + 'output: '.length);
    expect(output).toHaveLength(200);
    expect(output.endsWith('…')).toBe(true);
  });

  it('colours only when asked', async () => {
    const events = await retriedThenCaught();
    expect(formatHistory(events)).not.toContain('\u001b[');
    const coloured = formatHistory(events, { color: true }).split('\n');
    expect(coloured[0]).toBe('\u001b[1mID  TYPE                     STEP                  ELAPSED(ms)  DETAIL\u001b[0m');
    expect(coloured[5].startsWith('\u001b[31m 5  LambdaFunctionFailed')).toBe(true);
    expect(coloured[11].startsWith('\u001b[31m11  ExecutionFailed')).toBe(true);
    expect(coloured[3]).not.toContain('\u001b[');
    const succeeded = formatHistory(await loopThenSucceed(), { color: true }).split('\n');
    expect(succeeded[5].startsWith('\u001b[32m 5  LambdaFunctionSucceeded')).toBe(true);
  });

  it('names the Map state on its iteration rows', async () => {
    const { events } = await runMachine(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            MaxConcurrency: 1,
            ItemProcessor: { StartAt: 'Keep', States: { Keep: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      { items: ['a', 'b'] },
    );
    const rows = formatHistory(pinTimestamps(events))
      .split('\n')
      .map((line) => line.replace(/ +/g, ' ').trim());
    expect(rows).toContain('2 MapStateEntered Each 7');
    expect(rows).toContain('3 MapStateStarted Each 14 2 items');
    expect(rows.filter((row) => / MapIterationStarted Each \d+ #[01]$/.test(row))).toHaveLength(2);
    expect(rows.filter((row) => / PassStateEntered Keep /.test(row))).toHaveLength(2);
    expect(rows.some((row) => / MapStateSucceeded Each /.test(row))).toBe(true);
  });

  it('prints only the header for an empty history', () => {
    expect(formatHistory([])).toBe('ID  TYPE  STEP  ELAPSED(ms)  DETAIL');
  });
});
