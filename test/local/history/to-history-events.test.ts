import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { historyToJson, toHistoryEvents, type EngineEvent, type TaskInvocation } from '../../../local/history/index.js';
import {
  arazzoError,
  EXECUTION_ARN,
  lambdaArn,
  ROLE_ARN,
  runMachine,
  STATE_MACHINE_ARN,
  typesOf,
} from './run-machine.js';

const LAMBDA_ATTEMPT_OK = ['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded'];
const LAMBDA_ATTEMPT_FAILED = ['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed'];

/** Every JSON payload field of an event, to check they all parse. */
function payloads(event: HistoryEvent): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    for (const field of ['input', 'output', 'parameters'] as const) {
      const text = (value as Record<string, unknown>)[field];
      if (typeof text === 'string') found.push(text);
    }
  }
  return found;
}

function expectWellFormed(events: HistoryEvent[]) {
  events.forEach((event, index) => {
    expect(event.id).toBe(index + 1);
    expect(event.timestamp).toBeInstanceOf(Date);
    if (index > 0) expect(event.timestamp!.getTime()).toBeGreaterThanOrEqual(events[index - 1].timestamp!.getTime());
    expect(event.previousEventId).toBeLessThan(event.id!);
    for (const text of payloads(event)) expect(() => JSON.parse(text)).not.toThrow();
  });
}

/** AWS chains ExecutionStarted and the first state's entry to 0, then each event to the one before. */
function expectSequentialChain(events: HistoryEvent[]) {
  expect(events.map((e) => e.previousEventId)).toEqual(events.map((e) => (e.id! <= 2 ? 0 : e.id! - 1)));
}

const details = <K extends keyof HistoryEvent>(events: HistoryEvent[], type: string, key: K) =>
  events.filter((e) => e.type === type).map((e) => e[key]);

describe('toHistoryEvents on a Task → Choice → Wait loop → Task → Succeed machine', () => {
  const definition = {
    StartAt: 'getOrder',
    States: {
      getOrder: {
        Type: 'Task',
        Resource: lambdaArn('arazzo-sfn-orders-getOrder'),
        Parameters: { step: 'getOrder', 'inputs.$': '$.inputs' },
        ResultSelector: { 'outcome.$': '$.outcome', 'delaySeconds.$': '$.delaySeconds' },
        ResultPath: '$.steps.getOrder',
        TimeoutSeconds: 40,
        Next: 'getOrder.route',
      },
      'getOrder.route': {
        Type: 'Choice',
        Choices: [{ Variable: '$.steps.getOrder.outcome', StringEquals: 'onSuccess.pending', Next: 'getOrder.wait' }],
        Default: 'shipOrder',
      },
      'getOrder.wait': { Type: 'Wait', SecondsPath: '$.steps.getOrder.delaySeconds', Next: 'getOrder' },
      shipOrder: {
        Type: 'Task',
        Resource: lambdaArn('arazzo-sfn-orders-shipOrder'),
        Parameters: { step: 'shipOrder', 'order.$': '$.steps.getOrder' },
        ResultPath: '$.steps.shipOrder',
        Next: 'done',
      },
      done: { Type: 'Succeed', OutputPath: '$.steps.shipOrder' },
    },
  };

  const run = () => {
    let visits = 0;
    return runMachine(
      definition,
      { inputs: { orderId: 'o-1' }, steps: {} },
      {
        getOrder: async () => {
          visits += 1;
          // `debug` is dropped by ResultSelector: only the Lambda event may show it.
          return { outcome: visits === 1 ? 'onSuccess.pending' : 'onSuccess.ready', delaySeconds: 3, debug: `visit ${visits}` };
        },
        shipOrder: async (input: any) => ({ shipped: true, orderOutcome: input.order.outcome }),
      },
      { waitTimeOverrides: { 'getOrder.wait': 0 } },
    );
  };

  it('writes the event types AWS writes, in order', async () => {
    const { events, error, result } = await run();
    expect(error).toBeUndefined();
    expect(result).toEqual({ shipped: true, orderOutcome: 'onSuccess.ready' });
    expect(typesOf(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...LAMBDA_ATTEMPT_OK,
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'TaskStateEntered',
      ...LAMBDA_ATTEMPT_OK,
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'TaskStateEntered',
      ...LAMBDA_ATTEMPT_OK,
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(details(events, 'TaskStateEntered', 'stateEnteredEventDetails').map((d) => d!.name)).toEqual([
      'getOrder',
      'getOrder',
      'shipOrder',
    ]);
    expectWellFormed(events);
    expectSequentialChain(events);
  });

  it('fills the execution and state details with JSON text', async () => {
    const { events, result } = await run();
    expect(events[0].executionStartedEventDetails).toEqual({
      input: JSON.stringify({ inputs: { orderId: 'o-1' }, steps: {} }),
      inputDetails: { truncated: false },
      roleArn: ROLE_ARN,
    });
    expect(events[1].stateEnteredEventDetails).toEqual({
      name: 'getOrder',
      input: JSON.stringify({ inputs: { orderId: 'o-1' }, steps: {} }),
      inputDetails: { truncated: false },
    });
    const exited = events.find((e) => e.type === 'TaskStateExited')!.stateExitedEventDetails!;
    expect(exited.name).toBe('getOrder');
    expect(JSON.parse(exited.output!)).toEqual({
      inputs: { orderId: 'o-1' },
      steps: { getOrder: { outcome: 'onSuccess.pending', delaySeconds: 3 } },
    });
    expect(exited.outputDetails).toEqual({ truncated: false });
    const last = events.at(-1)!;
    expect(JSON.parse(last.executionSucceededEventDetails!.output!)).toEqual(result);
  });

  it("shows each call's effective input and raw result in the Lambda events", async () => {
    const { events } = await run();
    const scheduled = details(events, 'LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails');
    expect(scheduled[0]).toEqual({
      resource: lambdaArn('arazzo-sfn-orders-getOrder'),
      input: JSON.stringify({ step: 'getOrder', inputs: { orderId: 'o-1' } }),
      inputDetails: { truncated: false },
      timeoutInSeconds: 40,
    });
    expect(scheduled[2]!.timeoutInSeconds).toBeUndefined();
    expect(JSON.parse(scheduled[2]!.input!)).toEqual({ step: 'shipOrder', order: { outcome: 'onSuccess.ready', delaySeconds: 3 } });
    const succeeded = details(events, 'LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails');
    expect(succeeded.map((d) => JSON.parse(d!.output!))).toEqual([
      { outcome: 'onSuccess.pending', delaySeconds: 3, debug: 'visit 1' },
      { outcome: 'onSuccess.ready', delaySeconds: 3, debug: 'visit 2' },
      { shipped: true, orderOutcome: 'onSuccess.ready' },
    ]);
    expect(events.find((e) => e.type === 'LambdaFunctionStarted')).toEqual({
      timestamp: expect.any(Date),
      type: 'LambdaFunctionStarted',
      id: 4,
      previousEventId: 3,
    });
  });

  it('only ever appends while the execution streams', async () => {
    const { events, snapshots } = await run();
    expect(snapshots.length).toBeGreaterThan(10);
    for (const snapshot of snapshots) {
      expect(snapshot.length).toBeLessThanOrEqual(events.length);
      expect(snapshot).toEqual(events.slice(0, snapshot.length));
    }
  });

  it('infers the Lambda events from the engine alone when no call was recorded', async () => {
    const { engineEvents, events } = await run();
    const inferred = toHistoryEvents(engineEvents, { definition, executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE_ARN });
    expect(typesOf(inferred)).toEqual(typesOf(events));
    expectSequentialChain(inferred);
    expect(inferred[0].executionStartedEventDetails!.roleArn).toBeUndefined();
    // Documented fallback: the state's raw input and final output stand in for the call's.
    expect(inferred[2].lambdaFunctionScheduledEventDetails!.input).toBe(inferred[1].stateEnteredEventDetails!.input);
    expect(inferred[4].lambdaFunctionSucceededEventDetails!.output).toBe(inferred[5].stateExitedEventDetails!.output);
  });

  it('places invocations handed to toHistoryEvents', async () => {
    const { engineEvents } = await run();
    const at = engineEvents[1].timestamp;
    const invocations: (TaskInvocation & { stateName: string })[] = [
      { stateName: 'shipOrder', input: { ship: 1 }, output: { raw: 'ship' }, startedAt: at, endedAt: at },
      { stateName: 'getOrder', input: { get: 2 }, output: { raw: 'get 2' }, startedAt: at, endedAt: at },
      { stateName: 'getOrder', input: { get: 1 }, output: { raw: 'get 1' }, startedAt: new Date(at - 1), endedAt: at },
    ];
    const events = toHistoryEvents(engineEvents, {
      definition,
      executionArn: EXECUTION_ARN,
      stateMachineArn: STATE_MACHINE_ARN,
      invocations,
    });
    expect(details(events, 'LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails').map((d) => d!.input)).toEqual([
      '{"get":1}',
      '{"get":2}',
      '{"ship":1}',
    ]);
    expect(details(events, 'LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails').map((d) => d!.output)).toEqual([
      '{"raw":"get 1"}',
      '{"raw":"get 2"}',
      '{"raw":"ship"}',
    ]);
  });
});

describe('toHistoryEvents on failing Tasks', () => {
  it('repeats Scheduled/Started/Failed per retried attempt, then exits the caught Task into a Fail state', async () => {
    const definition = {
      StartAt: 'createPayment',
      States: {
        createPayment: {
          Type: 'Task',
          Resource: lambdaArn('arazzo-sfn-payments-create'),
          Parameters: { step: 'createPayment', 'inputs.$': '$.inputs' },
          ResultPath: '$.steps.createPayment',
          Retry: [
            { ErrorEquals: ['Arazzo.ProviderUnavailable'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2, JitterStrategy: 'FULL' },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'createPayment.failed' }],
          Next: 'done',
        },
        'createPayment.failed': { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
        done: { Type: 'Succeed' },
      },
    };
    let attempts = 0;
    const { events, error } = await runMachine(
      definition,
      { inputs: { amount: 5 } },
      {
        createPayment: async () => {
          attempts += 1;
          if (attempts < 3) throw arazzoError('Arazzo.ProviderUnavailable', `503 from provider (attempt ${attempts})`);
          throw arazzoError('Arazzo.StepFailed', 'success criteria failed: $statusCode == 201 (got 402)');
        },
      },
      { retryIntervalOverrides: { createPayment: 0 } },
    );
    expect(error).toBeDefined();
    expect(attempts).toBe(3);
    expect(typesOf(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...LAMBDA_ATTEMPT_FAILED,
      ...LAMBDA_ATTEMPT_FAILED,
      ...LAMBDA_ATTEMPT_FAILED,
      'TaskStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
    expectWellFormed(events);
    expectSequentialChain(events);

    expect(details(events, 'LambdaFunctionFailed', 'lambdaFunctionFailedEventDetails')).toEqual([
      { error: 'Arazzo.ProviderUnavailable', cause: '503 from provider (attempt 1)' },
      { error: 'Arazzo.ProviderUnavailable', cause: '503 from provider (attempt 2)' },
      { error: 'Arazzo.StepFailed', cause: 'success criteria failed: $statusCode == 201 (got 402)' },
    ]);
    for (const scheduled of details(events, 'LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails')) {
      expect(JSON.parse(scheduled!.input!)).toEqual({ step: 'createPayment', inputs: { amount: 5 } });
    }
    const exited = events.find((e) => e.type === 'TaskStateExited')!;
    expect(exited.previousEventId).toBe(events.findLast((e) => e.type === 'LambdaFunctionFailed')!.id);
    expect(JSON.parse(exited.stateExitedEventDetails!.output!)).toEqual({
      inputs: { amount: 5 },
      error: { Error: 'Arazzo.StepFailed', Cause: 'success criteria failed: $statusCode == 201 (got 402)' },
    });
    expect(events.find((e) => e.type === 'FailStateEntered')!.stateEnteredEventDetails!.name).toBe('createPayment.failed');
    expect(events.at(-1)!.executionFailedEventDetails).toEqual({
      error: 'Arazzo.StepFailed',
      cause: 'success criteria failed: $statusCode == 201 (got 402)',
    });
  });

  it('fails the execution straight after LambdaFunctionFailed when an input-validation Task throws uncaught', async () => {
    const definition = {
      StartAt: 'ValidateInputs',
      States: {
        ValidateInputs: {
          Type: 'Task',
          Resource: lambdaArn('arazzo-sfn-inputs-orders'),
          Parameters: { workflow: 'orders', 'inputs.$': '$' },
          ResultPath: '$',
          TimeoutSeconds: 30,
          Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 1, MaxAttempts: 3 }],
          Next: 'first',
        },
        first: { Type: 'Pass', End: true },
      },
    };
    const { events, error } = await runMachine(definition, { orderId: 7 }, {
      ValidateInputs: () => {
        throw arazzoError('Arazzo.InvalidInputs', '/orderId must be string');
      },
    });
    expect(error).toBeDefined();
    expect(typesOf(events)).toEqual(['ExecutionStarted', 'TaskStateEntered', ...LAMBDA_ATTEMPT_FAILED, 'ExecutionFailed']);
    expectWellFormed(events);
    expectSequentialChain(events);
    expect(events[2].lambdaFunctionScheduledEventDetails).toEqual({
      resource: lambdaArn('arazzo-sfn-inputs-orders'),
      input: JSON.stringify({ workflow: 'orders', inputs: { orderId: 7 } }),
      inputDetails: { truncated: false },
      timeoutInSeconds: 30,
    });
    expect(events[4].lambdaFunctionFailedEventDetails).toEqual({ error: 'Arazzo.InvalidInputs', cause: '/orderId must be string' });
    expect(events[5].executionFailedEventDetails).toEqual({ error: 'Arazzo.InvalidInputs', cause: '/orderId must be string' });
  });

  it("accepts the runner's own invocation log ({ stateName, input, output?, error?: { name, message } })", async () => {
    const definition = {
      StartAt: 'charge',
      States: {
        charge: {
          Type: 'Task',
          Resource: lambdaArn('charge'),
          Parameters: { 'amount.$': '$.amount' },
          Retry: [{ ErrorEquals: ['Arazzo.ProviderUnavailable'], MaxAttempts: 1 }],
          End: true,
        },
      },
    };
    const log: { stateName: string; input: unknown; startedAt: number; endedAt: number; output?: unknown; error?: { name: string; message: string } }[] = [];
    let attempts = 0;
    const run = new StateMachine(definition as any, { validationOptions: { noValidate: true } }).run({ amount: 9 }, {
      overrides: {
        retryIntervalOverrides: { charge: 0 },
        taskResourceLocalHandlers: {
          charge: async (input) => {
            const startedAt = Date.now();
            if (++attempts === 1) {
              log.push({ stateName: 'charge', input, startedAt, endedAt: Date.now(), error: { name: 'Arazzo.ProviderUnavailable', message: 'reset' } });
              throw arazzoError('Arazzo.ProviderUnavailable', 'reset');
            }
            log.push({ stateName: 'charge', input, startedAt, endedAt: Date.now(), output: { charged: 9, raw: true } });
            return { charged: 9, raw: true };
          },
        },
      },
    });
    const engineEvents: EngineEvent[] = [];
    for await (const event of run.eventLogs) engineEvents.push(event);
    await run.result;
    const events = toHistoryEvents(engineEvents, {
      definition,
      executionArn: EXECUTION_ARN,
      stateMachineArn: STATE_MACHINE_ARN,
      invocations: log,
    });
    expect(typesOf(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...LAMBDA_ATTEMPT_FAILED,
      ...LAMBDA_ATTEMPT_OK,
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[2].lambdaFunctionScheduledEventDetails!.input).toBe('{"amount":9}');
    expect(events[4].lambdaFunctionFailedEventDetails).toEqual({ error: 'Arazzo.ProviderUnavailable', cause: 'reset' });
    expect(events[7].lambdaFunctionSucceededEventDetails!.output).toBe('{"charged":9,"raw":true}');
    expectSequentialChain(events);
  });

  it('schedules nothing when the Task fails before its handler runs (Parameters path missing)', async () => {
    let called = false;
    const { events } = await runMachine(
      {
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: lambdaArn('f'), Parameters: { 'x.$': '$.missing.deep' }, End: true } },
      },
      { a: 1 },
      { T: () => ((called = true), 1) },
    );
    expect(called).toBe(false);
    expect(typesOf(events)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ExecutionFailed']);
    expect(events[2].previousEventId).toBe(2);
    expect(events[2].executionFailedEventDetails!.error).toBe('States.Runtime');
  });

  it('writes LambdaFunctionTimedOut when the Task outlives TimeoutSeconds', async () => {
    const { events } = await runMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: lambdaArn('slow'), TimeoutSeconds: 1, End: true } } },
      {},
      { T: () => new Promise((resolve) => setTimeout(() => resolve('late'), 1_300)) },
    );
    expect(typesOf(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionTimedOut',
      'ExecutionFailed',
    ]);
    expect(events[4].lambdaFunctionTimedOutEventDetails).toEqual({ error: 'States.Timeout', cause: 'States.Timeout' });
    expectSequentialChain(events);
  });
});

describe('toHistoryEvents for other resources and terminations', () => {
  it('writes Task* events for the lambda:invoke integration, as AWS does', async () => {
    const { events } = await runMachine(
      {
        StartAt: 'Invoke',
        States: {
          Invoke: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'f', 'Payload.$': '$' },
            ResultSelector: { 'body.$': '$.Payload' },
            End: true,
          },
        },
      },
      { a: 1 },
      { Invoke: (input: any) => ({ StatusCode: 200, Payload: { echoed: input.Payload } }) },
    );
    expect(typesOf(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[2].taskScheduledEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'eu-west-1',
      parameters: JSON.stringify({ FunctionName: 'f', Payload: { a: 1 } }),
    });
    expect(events[3].taskStartedEventDetails).toEqual({ resourceType: 'lambda', resource: 'invoke' });
    expect(events[4].taskSucceededEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      output: JSON.stringify({ StatusCode: 200, Payload: { echoed: { a: 1 } } }),
      outputDetails: { truncated: false },
    });
  });

  it('shows the in-flight call and chains ExecutionAborted to 0 when the run is aborted', async () => {
    const { events } = await runMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: lambdaArn('slow'), End: true } } },
      {},
      { T: () => new Promise((resolve) => setTimeout(() => resolve(1), 300)) },
      {},
      { abortAfterMs: 50 },
    );
    expect(typesOf(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'ExecutionAborted',
    ]);
    expect(events[4]).toMatchObject({ id: 5, previousEventId: 0, executionAbortedEventDetails: {} });
  });

  it('writes ExecutionTimedOut when the machine outlives its TimeoutSeconds', async () => {
    const { events } = await runMachine({ StartAt: 'W', TimeoutSeconds: 1, States: { W: { Type: 'Wait', Seconds: 30, End: true } } }, {});
    expect(typesOf(events)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionTimedOut']);
    expect(events[2]).toMatchObject({ previousEventId: 2, executionTimedOutEventDetails: { error: 'States.Timeout' } });
  });

  it('writes Map iterations and Parallel runs on their own lanes', async () => {
    const { events } = await runMachine(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Task', Resource: lambdaArn('double'), End: true } } },
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
      { items: [1, 2] },
      { Double: (n: any) => n * 2 },
    );
    expectWellFormed(events);
    const byType = (type: string) => events.filter((e) => e.type === type);
    const of = (id: number | undefined) => events.find((e) => e.id === id)!;

    const [mapStarted] = byType('MapStateStarted');
    expect(mapStarted.mapStateStartedEventDetails).toEqual({ length: 2 });
    expect(mapStarted.previousEventId).toBe(byType('MapStateEntered')[0].id);
    const iterations = byType('MapIterationStarted');
    expect(iterations.map((e) => e.mapIterationStartedEventDetails)).toEqual([
      { name: 'Each', index: 0 },
      { name: 'Each', index: 1 },
    ]);
    for (const iteration of iterations) expect(iteration.previousEventId).toBe(mapStarted.id);
    // Each iteration's Task chain starts at its own MapIterationStarted and ends in its MapIterationSucceeded.
    for (const done of byType('MapIterationSucceeded')) {
      const index = done.mapIterationSucceededEventDetails!.index;
      const chain: string[] = [];
      let cursor = of(done.previousEventId);
      while (cursor.type !== 'MapIterationStarted') {
        chain.unshift(cursor.type!);
        cursor = of(cursor.previousEventId);
      }
      expect(cursor.mapIterationStartedEventDetails!.index).toBe(index);
      expect(chain).toEqual(['TaskStateEntered', ...LAMBDA_ATTEMPT_OK, 'TaskStateExited']);
    }
    const outputs = byType('LambdaFunctionSucceeded').map((e) => e.lambdaFunctionSucceededEventDetails!.output).sort();
    expect(outputs).toEqual(['2', '4']);
    expect(of(byType('MapStateExited')[0].previousEventId).type).toBe('MapIterationSucceeded');

    const [parallelStarted] = byType('ParallelStateStarted');
    const branchEntries = byType('PassStateEntered');
    expect(branchEntries.map((e) => e.stateEnteredEventDetails!.name).sort()).toEqual(['Left', 'Right']);
    for (const entry of branchEntries) expect(entry.previousEventId).toBe(parallelStarted.id);
    expect(byType('ParallelStateSucceeded')).toHaveLength(1);
    expect(JSON.parse(byType('ParallelStateExited')[0].stateExitedEventDetails!.output!)).toEqual(['l', 'r']);
    expect(typesOf(events).at(-1)).toBe('ExecutionSucceeded');
    expect(events.at(-1)!.previousEventId).toBe(byType('ParallelStateExited')[0].id);
  });
});

describe('historyToJson', () => {
  it("is the CLI's get-execution-history body with ISO timestamps", async () => {
    const { events } = await runMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: lambdaArn('f'), End: true } } },
      { a: 1 },
      { T: () => ({ b: 2 }) },
    );
    const json = historyToJson(events);
    const roundTripped = JSON.parse(JSON.stringify(json));
    expect(roundTripped).toEqual(json);
    expect(roundTripped.events).toHaveLength(events.length);
    roundTripped.events.forEach((event: any, index: number) => {
      expect(Object.keys(event).slice(0, 4)).toEqual(['timestamp', 'type', 'id', 'previousEventId']);
      expect(event.timestamp).toBe(events[index].timestamp!.toISOString());
      expect(event.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });
    expect(roundTripped.events[4]).toEqual({
      timestamp: events[4].timestamp!.toISOString(),
      type: 'LambdaFunctionSucceeded',
      id: 5,
      previousEventId: 4,
      lambdaFunctionSucceededEventDetails: { output: '{"b":2}', outputDetails: { truncated: false } },
    });
  });
});
