import { randomUUID } from 'node:crypto';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { validateAsl } from '../../compiler/validate/validate-asl.js';
import { executionArn, isValidName, parseExecutionArn, parseStateMachineArn, stateMachineArn, type ArnScope } from './arns.js';
import { canonicalJson } from './catalog.js';
import { jsonSyntaxProblem, sfnError } from './errors.js';
import type { ExecutionRunner } from './executions.js';
import { decodeToken, encodeToken, pageSize } from './paging.js';
import { parseRequest, type Operation, type RequestOf } from './requests.js';
import type { EndpointStore, ExecutionCursor, ExecutionRecord, ExecutionStatus, StateMachineRecord } from './store.js';
import type { TrackedTaskTokens } from './task-tokens.js';

/** Timestamps travel as epoch seconds (fractional) in AWS JSON 1.0. */
const seconds = (ms: number) => ms / 1000;

const LOGGING = { level: 'OFF', includeExecutionData: false } as const;
const TRACING = { enabled: false } as const;

export interface ApiDeps {
  readonly store: EndpointStore;
  readonly runner: ExecutionRunner;
  readonly tokens: TrackedTaskTokens;
  readonly scope: ArnScope;
}

type Handler<O extends Operation> = (request: RequestOf<O>) => Promise<object> | object;

/** An event as the wire carries it: the timestamp in epoch seconds, and without input/output when `includeExecutionData` is false. */
function eventToWire(event: HistoryEvent, includeData: boolean): Record<string, unknown> {
  const { timestamp, type, id, previousEventId, ...details } = event;
  const out: Record<string, unknown> = { timestamp: seconds(timestamp?.getTime() ?? 0), type, id, previousEventId: previousEventId ?? 0 };
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined) continue;
    if (!includeData && value && typeof value === 'object') {
      const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
      out[key] = rest;
    } else out[key] = value;
  }
  return out;
}

function executionSummary(e: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: e.arn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: seconds(e.startDate),
    ...(e.stopDate !== undefined ? { stopDate: seconds(e.stopDate) } : {}),
  };
}

/** The Step Functions operations this endpoint serves, over the store and the runner. */
export class SfnApi {
  private readonly handlers: { [O in Operation]: Handler<O> };

  constructor(private readonly d: ApiDeps) {
    this.handlers = {
      CreateStateMachine: (r) => this.createStateMachine(r),
      DescribeStateMachine: (r) => {
        const machine = this.machine(r.stateMachineArn);
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          status: 'ACTIVE',
          definition: machine.definition,
          roleArn: machine.roleArn,
          type: machine.type,
          creationDate: seconds(machine.createdAt),
          loggingConfiguration: LOGGING,
          tracingConfiguration: TRACING,
          ...(machine.sourceFile ? { description: `compiled from ${machine.sourceFile}` } : {}),
        };
      },
      ListStateMachines: (r) => {
        const limit = pageSize(r.maxResults);
        const after = r.nextToken ? decodeToken<number>(r.nextToken, 'ListStateMachines', '') : 0;
        const rows = this.d.store.listStateMachines(after, limit + 1);
        const page = rows.slice(0, limit);
        return {
          stateMachines: page.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: seconds(m.createdAt) })),
          ...(rows.length > limit ? { nextToken: encodeToken('ListStateMachines', '', page.at(-1)!.seq) } : {}),
        };
      },
      DescribeStateMachineForExecution: (r) => {
        const execution = this.execution(r.executionArn);
        const machine = this.d.store.getStateMachine(execution.stateMachineArn);
        if (!machine) throw sfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${execution.stateMachineArn}'`);
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          definition: machine.definition,
          roleArn: machine.roleArn,
          updateDate: seconds(machine.createdAt),
          loggingConfiguration: LOGGING,
          tracingConfiguration: TRACING,
        };
      },
      StartExecution: (r) => this.startExecution(r),
      DescribeExecution: (r) => {
        const e = this.execution(r.executionArn);
        return {
          ...executionSummary(e),
          input: e.input,
          inputDetails: { included: true },
          ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
          ...(e.error !== undefined ? { error: e.error } : {}),
          ...(e.cause !== undefined ? { cause: e.cause } : {}),
        };
      },
      ListExecutions: (r) => {
        if (r.mapRunArn) throw sfnError('ValidationException', 'This endpoint has no Distributed Map runs: list executions by stateMachineArn');
        if (!r.stateMachineArn) throw sfnError('ValidationException', 'Must provide a StateMachine ARN or a MapRun ARN');
        const machine = this.machine(r.stateMachineArn);
        // No execution here is ever redrivable, so none is pending a redrive.
        if (r.statusFilter === 'PENDING_REDRIVE') return { executions: [] };
        const status = r.statusFilter as ExecutionStatus | undefined;
        const limit = pageSize(r.maxResults);
        const scope = `${machine.arn}|${status ?? ''}`;
        const after = r.nextToken ? decodeToken<ExecutionCursor>(r.nextToken, 'ListExecutions', scope) : undefined;
        const rows = this.d.store.listExecutions({ stateMachineArn: machine.arn, ...(status ? { status } : {}), ...(after ? { after } : {}), limit: limit + 1 });
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          executions: page.map(executionSummary),
          ...(rows.length > limit && last ? { nextToken: encodeToken('ListExecutions', scope, { startDate: last.startDate, seq: last.seq } satisfies ExecutionCursor) } : {}),
        };
      },
      GetExecutionHistory: (r) => {
        const execution = this.execution(r.executionArn);
        const reverse = r.reverseOrder ?? false;
        const limit = pageSize(r.maxResults);
        const scope = `${execution.arn}|${reverse}`;
        const from = r.nextToken ? decodeToken<number>(r.nextToken, 'GetExecutionHistory', scope) : undefined;
        const live = this.d.runner.liveHistory(execution.arn);
        let rows: HistoryEvent[];
        if (live) {
          const ordered = reverse ? [...live].reverse() : live;
          rows = ordered.filter((e) => from === undefined || (reverse ? e.id! < from : e.id! > from)).slice(0, limit + 1);
        } else {
          rows = this.d.store.historyPage(execution.arn, { ...(from !== undefined ? { from } : {}), reverse, limit: limit + 1 });
        }
        const page = rows.slice(0, limit);
        return {
          events: page.map((e) => eventToWire(e, r.includeExecutionData ?? true)),
          ...(rows.length > limit ? { nextToken: encodeToken('GetExecutionHistory', scope, page.at(-1)!.id) } : {}),
        };
      },
      StopExecution: async (r) => {
        const execution = this.execution(r.executionArn);
        if (execution.status !== 'RUNNING' || !this.d.runner.isRunning(execution.arn)) return { stopDate: seconds(execution.stopDate ?? Date.now()) };
        const stopDate = await this.d.runner.stop(execution.arn, { ...(r.error !== undefined ? { error: r.error } : {}), ...(r.cause !== undefined ? { cause: r.cause } : {}) });
        return { stopDate: seconds(stopDate) };
      },
      SendTaskSuccess: async (r) => {
        this.d.tokens.check(r.taskToken);
        try {
          JSON.parse(r.output);
        } catch (err) {
          throw sfnError('InvalidOutput', `Invalid Output: '${jsonSyntaxProblem(err)}'`);
        }
        await this.answerTask(() => this.d.tokens.sendTaskSuccess(r.taskToken, r.output));
        return {};
      },
      SendTaskFailure: async (r) => {
        this.d.tokens.check(r.taskToken);
        // The service leaves an absent error null; the engine needs a name to match Catch rules against, and States.ALL matches any.
        await this.answerTask(() => this.d.tokens.sendTaskFailure(r.taskToken, r.error ?? '', r.cause ?? ''));
        return {};
      },
      SendTaskHeartbeat: async (r) => {
        this.d.tokens.check(r.taskToken);
        await this.answerTask(() => this.d.tokens.sendTaskHeartbeat(r.taskToken));
        return {};
      },
    };
  }

  async call(operation: Operation, body: unknown): Promise<object> {
    const request = parseRequest(operation, body);
    return (this.handlers[operation] as Handler<Operation>)(request as never);
  }

  private machine(arn: string): StateMachineRecord {
    parseStateMachineArn(arn);
    const machine = this.d.store.getStateMachine(arn);
    if (!machine) throw sfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(arn: string): ExecutionRecord {
    parseExecutionArn(arn);
    const execution = this.d.store.getExecution(arn);
    if (!execution) throw sfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  /** A token can close between the check and the answer (its Task timed out): the service then says TaskTimedOut. */
  private async answerTask(answer: () => Promise<void>): Promise<void> {
    try {
      await answer();
    } catch (err) {
      if ((err as Error).name === 'TaskTimedOut') throw sfnError('TaskTimedOut', 'Task Timed Out');
      throw err;
    }
  }

  private createStateMachine(r: RequestOf<'CreateStateMachine'>): object {
    if (!isValidName(r.name)) throw sfnError('InvalidName', `Invalid Name: '${r.name}'`);
    if ((r.type ?? 'STANDARD') !== 'STANDARD') throw sfnError('StateMachineTypeNotSupported', 'This endpoint runs STANDARD state machines only');
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(r.roleArn)) throw sfnError('InvalidArn', `Invalid Arn: 'Invalid role ARN: ${r.roleArn}'`);
    let definition: unknown;
    try {
      definition = JSON.parse(r.definition);
    } catch (err) {
      throw sfnError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${jsonSyntaxProblem(err)}'`);
    }
    if (!definition || typeof definition !== 'object' || Array.isArray(definition)) throw sfnError('InvalidDefinition', "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: the definition must be a JSON object'");
    const problems = validateAsl(definition as never);
    if (problems.length) throw sfnError('InvalidDefinition', `Invalid State Machine Definition: '${problems.map((p) => `SCHEMA_VALIDATION_FAILED: ${p}`).join(', ')}'`);

    const arn = stateMachineArn(this.d.scope, r.name);
    const existing = this.d.store.getStateMachine(arn);
    if (existing) {
      // Idempotent as on AWS: the same name, definition and role return the machine that exists.
      if (existing.roleArn === r.roleArn && canonicalJson(JSON.parse(existing.definition)) === canonicalJson(definition)) {
        return { stateMachineArn: arn, creationDate: seconds(existing.createdAt) };
      }
      throw sfnError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const createdAt = Date.now();
    this.d.store.insertStateMachine({ arn, name: r.name, definition: r.definition, roleArn: r.roleArn, type: 'STANDARD', origin: 'api', createdAt });
    return { stateMachineArn: arn, creationDate: seconds(createdAt) };
  }

  private startExecution(r: RequestOf<'StartExecution'>): object {
    const machine = this.machine(r.stateMachineArn);
    const name = r.name ?? randomUUID();
    if (!isValidName(name)) throw sfnError('InvalidName', `Invalid Name: '${name}'`);
    const input = r.input ?? '{}';
    try {
      JSON.parse(input);
    } catch (err) {
      throw sfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${jsonSyntaxProblem(err)}'`);
    }
    const arn = executionArn(machine.arn, name);
    const existing = this.d.store.getExecution(arn);
    if (existing) {
      // Idempotent for a running execution with the same input; otherwise the name is taken (AWS keeps it 90 days).
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: arn, startDate: seconds(existing.startDate) };
      throw sfnError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const started = this.d.runner.start(machine, name, input);
    return { executionArn: started.arn, startDate: seconds(started.startDate) };
  }
}

