import { randomUUID } from 'node:crypto';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { EngineHost } from '../engine-host.js';
import { validateAsl } from '../../compiler/validate/validate-asl.js';
import {
  executionArn,
  expressExecutionArn,
  isValidName,
  parseExecutionArn,
  ALIAS_NAME,
  parseQualifiedStateMachineArn,
  parseStateMachineArn,
  stateMachineArn,
  type ArnScope,
} from './arns.js';
import { canonicalJson } from './catalog.js';
import { jsonSyntaxProblem, sfnError } from './errors.js';
import { NotRedrivable, type ExecutionRunner, type RunTarget } from './executions.js';
import { decodeToken, encodeToken, pageSize } from './paging.js';
import { parseRequest, type Operation, type RequestOf } from './requests.js';
import type { AliasRecord, AliasRoute, EndpointStore, ExecutionCursor, ExecutionRecord, ExecutionStatus, StateMachineRecord, VersionRecord } from './store.js';
import type { TrackedTaskTokens } from './task-tokens.js';
import { testState } from './test-state.js';
import { validateDefinition } from './validate-definition.js';

/** The version a start through an alias runs: one drawn by the routes' weights. */
function pickRoute(routing: readonly AliasRoute[]): string {
  let draw = Math.random() * 100;
  for (const route of routing) {
    draw -= route.weight;
    if (draw < 0) return route.stateMachineVersionArn;
  }
  return routing.findLast((route) => route.weight > 0)?.stateMachineVersionArn ?? routing[0].stateMachineVersionArn;
}

/** Timestamps travel as epoch seconds (fractional) in AWS JSON 1.0. */
const seconds = (ms: number) => ms / 1000;

const LOGGING = { level: 'OFF', includeExecutionData: false } as const;
const TRACING = { enabled: false } as const;

export interface ApiDeps {
  readonly store: EndpointStore;
  readonly runner: ExecutionRunner;
  readonly tokens: TrackedTaskTokens;
  readonly scope: ArnScope;
  /** Where TestState runs its one state (the endpoint's engine workers). @default this thread */
  readonly engine?: EngineHost;
}

/** AWS keeps a closed execution redrivable for 14 days, at most 1,000 times. */
const REDRIVE_WINDOW_MS = 14 * 24 * 3600 * 1000;
const MAX_REDRIVES = 1000;
const MAX_TAGS = 50;

/** Whether RedriveExecution would take the execution, and if not, why (DescribeExecution's redriveStatus and redriveStatusReason). */
function redriveStatus(e: ExecutionRecord, now: number): { status: 'REDRIVABLE' | 'NOT_REDRIVABLE'; reason?: string } {
  if (e.status === 'RUNNING' || e.status === 'SUCCEEDED') return { status: 'NOT_REDRIVABLE', reason: `Execution is ${e.status} and cannot be redriven` };
  if (e.arn.includes(':express:')) return { status: 'NOT_REDRIVABLE', reason: 'Express executions cannot be redriven' };
  if (e.parentArn && !e.revisionId) return { status: 'NOT_REDRIVABLE', reason: 'A nested execution its parent ran in-process cannot be redriven on its own: redrive the parent' };
  if ((e.redriveCount ?? 0) >= MAX_REDRIVES) return { status: 'NOT_REDRIVABLE', reason: `Execution was redriven ${MAX_REDRIVES} times, the maximum` };
  if (now - (e.stopDate ?? now) > REDRIVE_WINDOW_MS) return { status: 'NOT_REDRIVABLE', reason: 'Execution closed more than 14 days ago and can no longer be redriven' };
  return { status: 'REDRIVABLE' };
}

const tagsToWire = (tags: Readonly<Record<string, string>>) => Object.entries(tags).map(([key, value]) => ({ key, value }));
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
    ...(e.versionArn ? { stateMachineVersionArn: e.versionArn } : {}),
    ...(e.aliasArn ? { stateMachineAliasArn: e.aliasArn } : {}),
    ...(e.redriveCount ? { redriveCount: e.redriveCount } : {}),
    ...(e.redriveDate !== undefined ? { redriveDate: seconds(e.redriveDate) } : {}),
  };
}

/** The Step Functions operations this endpoint serves, over the store and the runner. */
export class SfnApi {
  private readonly handlers: { [O in Operation]: Handler<O> };

  constructor(private readonly d: ApiDeps) {
    this.handlers = {
      CreateStateMachine: (r) => this.createStateMachine(r),
      DescribeStateMachine: (r) => {
        const { machine, version, alias } = this.target(r.stateMachineArn);
        if (alias) throw sfnError('ValidationException', `Describe an alias with DescribeStateMachineAlias: ${alias.arn}`);
        return {
          stateMachineArn: version?.arn ?? machine.arn,
          name: machine.name,
          status: 'ACTIVE',
          definition: version?.definition ?? machine.definition,
          roleArn: version?.roleArn ?? machine.roleArn,
          type: machine.type,
          creationDate: seconds(version?.createdAt ?? machine.createdAt),
          loggingConfiguration: LOGGING,
          tracingConfiguration: TRACING,
          revisionId: version?.revisionId ?? machine.revisionId,
          ...(version?.description !== undefined ? { description: version.description } : machine.sourceFile && !version ? { description: `compiled from ${machine.sourceFile}` } : {}),
        };
      },
      UpdateStateMachine: (r) => {
        const machine = this.machine(r.stateMachineArn);
        if (r.definition === undefined && r.roleArn === undefined && !r.publish) {
          throw sfnError('ValidationException', 'Either the definition, the roleArn or publish must be given');
        }
        if (r.definition !== undefined) this.checkDefinition(r.definition);
        if (r.roleArn !== undefined) checkRoleArn(r.roleArn);
        if (r.versionDescription !== undefined && !r.publish) throw sfnError('ValidationException', 'versionDescription can be set only when publish is true');
        const at = Date.now();
        const { machine: updated, version } = this.d.store.updateStateMachine(
          machine.arn,
          { ...(r.definition !== undefined ? { definition: r.definition } : {}), ...(r.roleArn !== undefined ? { roleArn: r.roleArn } : {}), ...(r.publish ? { publish: { ...(r.versionDescription !== undefined ? { description: r.versionDescription } : {}) } } : {}) },
          at,
        );
        return { updateDate: seconds(at), revisionId: updated.revisionId, ...(version ? { stateMachineVersionArn: version.arn } : {}) };
      },
      DeleteStateMachine: (r) => {
        const parsed = parseQualifiedStateMachineArn(r.stateMachineArn);
        if (parsed.version !== undefined) throw sfnError('ValidationException', 'Delete a version with DeleteStateMachineVersion');
        if (parsed.alias !== undefined) throw sfnError('ValidationException', 'Delete an alias with DeleteStateMachineAlias');
        // As on AWS: deleting what does not exist succeeds, and running executions run to their end.
        this.d.store.deleteStateMachine(parsed.arn);
        return {};
      },
      PublishStateMachineVersion: (r) => {
        const machine = this.machine(r.stateMachineArn);
        if (r.revisionId !== undefined && r.revisionId !== machine.revisionId) {
          throw sfnError('ConflictException', `Failed to publish the State Machine version for revision ${r.revisionId}. The current State Machine revision is ${machine.revisionId}.`);
        }
        const version = this.d.store.publishVersion(machine.arn, r.description, Date.now());
        return { creationDate: seconds(version.createdAt), stateMachineVersionArn: version.arn };
      },
      ListStateMachineVersions: (r) => {
        const machine = this.machine(r.stateMachineArn);
        const limit = pageSize(r.maxResults);
        const before = r.nextToken ? decodeToken<number>(r.nextToken, 'ListStateMachineVersions', machine.arn) : Number.MAX_SAFE_INTEGER;
        const rows = this.d.store.listVersions(machine.arn, before, limit + 1);
        const page = rows.slice(0, limit);
        return {
          stateMachineVersions: page.map((v) => ({ stateMachineVersionArn: v.arn, creationDate: seconds(v.createdAt) })),
          ...(rows.length > limit ? { nextToken: encodeToken('ListStateMachineVersions', machine.arn, page.at(-1)!.version) } : {}),
        };
      },
      DeleteStateMachineVersion: (r) => {
        const parsed = parseQualifiedStateMachineArn(r.stateMachineVersionArn);
        if (parsed.version === undefined) throw sfnError('ValidationException', 'stateMachineVersionArn must name a version (<state machine ARN>:<version>)');
        // As on AWS: a version an alias routes to stays until the alias stops routing to it.
        const routedBy = this.d.store.listAliases(parsed.machineArn, '', 1000).find((a) => a.routing.some((route) => route.stateMachineVersionArn === parsed.arn));
        if (routedBy) throw sfnError('ConflictException', `Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${routedBy.name}]`);
        this.d.store.deleteVersion(parsed.machineArn, parsed.version);
        return {};
      },
      CreateStateMachineAlias: (r) => {
        const routing = this.checkRouting(r.routingConfiguration);
        if (!ALIAS_NAME.test(r.name)) throw sfnError('ValidationException', `Invalid alias name: ${r.name} (letters, digits, _, - and ., not all digits)`);
        const stateMachineArn = parseQualifiedStateMachineArn(routing[0].stateMachineVersionArn).machineArn;
        const arn = `${stateMachineArn}:${r.name}`;
        const existing = this.d.store.getAlias(arn);
        if (existing) {
          // Idempotent for the same alias; otherwise the name is taken.
          if (existing.description === r.description && JSON.stringify(existing.routing) === JSON.stringify(routing)) return { stateMachineAliasArn: arn, creationDate: seconds(existing.createdAt) };
          throw sfnError('ConflictException', `Failed to create alias because an alias with the same name and a different routing configuration already exists.`);
        }
        const alias = this.d.store.putAlias({ arn, stateMachineArn, name: r.name, ...(r.description !== undefined ? { description: r.description } : {}), routing }, Date.now());
        return { stateMachineAliasArn: alias.arn, creationDate: seconds(alias.createdAt) };
      },
      DescribeStateMachineAlias: (r) => {
        const alias = this.alias(r.stateMachineAliasArn);
        return {
          stateMachineAliasArn: alias.arn,
          name: alias.name,
          ...(alias.description !== undefined ? { description: alias.description } : {}),
          routingConfiguration: alias.routing,
          creationDate: seconds(alias.createdAt),
          updateDate: seconds(alias.updatedAt),
        };
      },
      UpdateStateMachineAlias: (r) => {
        const alias = this.alias(r.stateMachineAliasArn);
        if (r.description === undefined && r.routingConfiguration === undefined) throw sfnError('ValidationException', 'Either the description or the routingConfiguration must be given');
        const routing = r.routingConfiguration ? this.checkRouting(r.routingConfiguration, alias.stateMachineArn) : alias.routing;
        const description = r.description ?? alias.description;
        const updated = this.d.store.putAlias({ arn: alias.arn, stateMachineArn: alias.stateMachineArn, name: alias.name, ...(description !== undefined ? { description } : {}), routing }, Date.now());
        return { updateDate: seconds(updated.updatedAt) };
      },
      DeleteStateMachineAlias: (r) => {
        this.alias(r.stateMachineAliasArn);
        this.d.store.deleteAlias(r.stateMachineAliasArn);
        return {};
      },
      ListStateMachineAliases: (r) => {
        const machine = this.machine(r.stateMachineArn);
        const limit = pageSize(r.maxResults);
        const after = r.nextToken ? decodeToken<string>(r.nextToken, 'ListStateMachineAliases', machine.arn) : '';
        const rows = this.d.store.listAliases(machine.arn, after, limit + 1);
        const page = rows.slice(0, limit);
        return {
          stateMachineAliases: page.map((a) => ({ stateMachineAliasArn: a.arn, creationDate: seconds(a.createdAt) })),
          ...(rows.length > limit ? { nextToken: encodeToken('ListStateMachineAliases', machine.arn, page.at(-1)!.name) } : {}),
        };
      },
      TagResource: (r) => {
        const machine = this.taggable(r.resourceArn);
        const tags = { ...machine.tags };
        for (const { key, value } of r.tags) tags[key] = value;
        if (Object.keys(tags).length > MAX_TAGS) throw sfnError('TooManyTags', `Too many tags: a resource has at most ${MAX_TAGS}`);
        this.d.store.setTags(machine.arn, tags);
        return {};
      },
      UntagResource: (r) => {
        const machine = this.taggable(r.resourceArn);
        const tags = { ...machine.tags };
        for (const key of r.tagKeys) delete tags[key];
        this.d.store.setTags(machine.arn, tags);
        return {};
      },
      ListTagsForResource: (r) => ({ tags: tagsToWire(this.taggable(r.resourceArn).tags) }),
      ValidateStateMachineDefinition: (r) => validateDefinition(r.definition, { severity: r.severity ?? 'ERROR', maxResults: r.maxResults || 100 }),
      TestState: (r) => testState(r, this.d.engine),
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
        // The definition the execution runs: its revision, whatever updates came after.
        const revision = execution.revisionId ? this.d.store.getRevision(execution.revisionId) : undefined;
        if (!machine && !revision) throw sfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${execution.stateMachineArn}'`);
        return {
          stateMachineArn: execution.stateMachineArn,
          name: parseStateMachineArn(execution.stateMachineArn).name,
          definition: revision?.definition ?? machine!.definition,
          roleArn: revision?.roleArn ?? machine!.roleArn,
          updateDate: seconds(machine?.updatedAt ?? machine?.createdAt ?? execution.startDate),
          ...(revision ? { revisionId: revision.id } : {}),
          ...(execution.versionArn ? { stateMachineVersionArn: execution.versionArn } : {}),
          loggingConfiguration: LOGGING,
          tracingConfiguration: TRACING,
        };
      },
      StartExecution: (r) => this.startExecution(r),
      StartSyncExecution: (r) => this.startSyncExecution(r),
      RedriveExecution: (r) => {
        const execution = this.execution(r.executionArn);
        const status = redriveStatus(execution, Date.now());
        if (status.status !== 'REDRIVABLE') throw sfnError('ExecutionNotRedrivable', status.reason!);
        const revision = execution.revisionId ? this.d.store.getRevision(execution.revisionId) : undefined;
        const machine = revision ? undefined : this.d.store.getStateMachine(execution.stateMachineArn);
        const definition = revision ?? machine;
        if (!definition) throw sfnError('ExecutionNotRedrivable', 'The definition this execution ran is no longer kept');
        const target: RunTarget = { arn: execution.stateMachineArn, definition: definition.definition, roleArn: definition.roleArn, ...(execution.revisionId ? { revisionId: execution.revisionId } : {}), ...(execution.versionArn ? { versionArn: execution.versionArn } : {}) };
        try {
          return { redriveDate: seconds(this.d.runner.redrive(execution, target)) };
        } catch (err) {
          if (err instanceof NotRedrivable) throw sfnError('ExecutionNotRedrivable', err.message);
          throw err;
        }
      },
      DescribeExecution: (r) => {
        const e = this.execution(r.executionArn);
        const redrive = redriveStatus(e, Date.now());
        return {
          ...executionSummary(e),
          redriveStatus: redrive.status,
          ...(redrive.reason ? { redriveStatusReason: redrive.reason } : {}),
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
        const { machine, version, alias } = this.target(r.stateMachineArn);
        if (machine.type === 'EXPRESS') throw sfnError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
        // A redrive here runs at once (RUNNING again), so no execution is ever pending one.
        if (r.statusFilter === 'PENDING_REDRIVE') return { executions: [] };
        const status = r.statusFilter as ExecutionStatus | undefined;
        const redriven = r.redriveFilter === undefined ? undefined : r.redriveFilter === 'REDRIVEN';
        const limit = pageSize(r.maxResults);
        const scope = `${r.stateMachineArn}|${status ?? ''}|${r.redriveFilter ?? ''}`;
        const after = r.nextToken ? decodeToken<ExecutionCursor>(r.nextToken, 'ListExecutions', scope) : undefined;
        const rows = this.d.store.listExecutions({
          stateMachineArn: machine.arn,
          ...(version ? { versionArn: version.arn } : {}),
          ...(alias ? { aliasArn: alias.arn } : {}),
          ...(status ? { status } : {}),
          ...(redriven !== undefined ? { redriven } : {}),
          ...(after ? { after } : {}),
          limit: limit + 1,
        });
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

  /**
   * A state machine ARN, a version's or an alias's: the machine, and the version when one is named
   * or the alias routes to one (by its weights, drawn per call as Step Functions does per start).
   */
  private target(arn: string, { start = false } = {}): { machine: StateMachineRecord; version?: VersionRecord; alias?: AliasRecord } {
    const parsed = parseQualifiedStateMachineArn(arn);
    const machine = this.d.store.getStateMachine(parsed.machineArn);
    const alias = machine && parsed.alias !== undefined ? this.d.store.getAlias(arn) : undefined;
    // Only a start goes through an alias to a version; elsewhere the alias names itself (ListExecutions filters by it).
    const qualifier = alias && start ? parseQualifiedStateMachineArn(pickRoute(alias.routing)).version : parsed.version;
    const version = machine && qualifier !== undefined ? this.d.store.getVersion(machine.arn, qualifier) : undefined;
    if (!machine || (parsed.alias !== undefined && !alias) || (qualifier !== undefined && !version)) throw sfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return { machine, ...(version ? { version } : {}), ...(alias ? { alias } : {}) };
  }

  private alias(arn: string): AliasRecord {
    const parsed = parseQualifiedStateMachineArn(arn);
    const alias = parsed.alias !== undefined ? this.d.store.getAlias(arn) : undefined;
    if (!alias) throw sfnError('ResourceNotFound', `Resource not found: '${arn}'`);
    return alias;
  }

  /** An alias routes to one version, or two whose weights sum to 100, of one state machine, each published. */
  private checkRouting(routing: readonly AliasRoute[], stateMachineArn?: string): AliasRoute[] {
    const machines = new Set(routing.map((route) => parseQualifiedStateMachineArn(route.stateMachineVersionArn).machineArn));
    for (const route of routing) {
      const parsed = parseQualifiedStateMachineArn(route.stateMachineVersionArn);
      if (parsed.version === undefined) throw sfnError('ValidationException', `routingConfiguration must name versions: ${route.stateMachineVersionArn}`);
      if (!this.d.store.getVersion(parsed.machineArn, parsed.version)) throw sfnError('ResourceNotFound', `Resource not found: '${route.stateMachineVersionArn}'`);
    }
    if (machines.size !== 1 || (stateMachineArn !== undefined && !machines.has(stateMachineArn))) throw sfnError('ValidationException', 'The versions of an alias must belong to one state machine, the alias\'s');
    if (new Set(routing.map((route) => route.stateMachineVersionArn)).size !== routing.length) throw sfnError('ValidationException', 'routingConfiguration names a version twice');
    if (routing.reduce((sum, route) => sum + route.weight, 0) !== 100) throw sfnError('ValidationException', 'The weights of routingConfiguration must sum to 100');
    return routing.map((route) => ({ stateMachineVersionArn: route.stateMachineVersionArn, weight: route.weight }));
  }

  /** Tags live on state machines here (no activities): another resource is not found. */
  private taggable(arn: string): StateMachineRecord {
    const parsed = parseQualifiedStateMachineArn(arn);
    const machine = parsed.version === undefined && parsed.alias === undefined ? this.d.store.getStateMachine(arn) : undefined;
    if (!machine) throw sfnError('ResourceNotFound', `Resource not found: '${arn}'`);
    return machine;
  }

  /** The checks CreateStateMachine and UpdateStateMachine make of a definition: JSON, an object, valid ASL. */
  private checkDefinition(text: string): object {
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (err) {
      throw sfnError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${jsonSyntaxProblem(err)}'`);
    }
    if (!definition || typeof definition !== 'object' || Array.isArray(definition)) throw sfnError('InvalidDefinition', "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: the definition must be a JSON object'");
    const problems = validateAsl(definition as never);
    if (problems.length) throw sfnError('InvalidDefinition', `Invalid State Machine Definition: '${problems.map((p) => `SCHEMA_VALIDATION_FAILED: ${p}`).join(', ')}'`);
    return definition;
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
    const type = r.type ?? 'STANDARD';
    checkRoleArn(r.roleArn);
    const definition = this.checkDefinition(r.definition);
    if ((r.tags?.length ?? 0) > MAX_TAGS) throw sfnError('TooManyTags', `Too many tags: a resource has at most ${MAX_TAGS}`);
    if (r.versionDescription !== undefined && !r.publish) throw sfnError('ValidationException', 'versionDescription can be set only when publish is true');

    const arn = stateMachineArn(this.d.scope, r.name);
    const existing = this.d.store.getStateMachine(arn);
    if (existing) {
      // Idempotent as on AWS: the same name, definition and role return the machine that exists.
      if (existing.roleArn === r.roleArn && existing.type === type && canonicalJson(JSON.parse(existing.definition)) === canonicalJson(definition)) {
        return { stateMachineArn: arn, creationDate: seconds(existing.createdAt) };
      }
      throw sfnError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const createdAt = Date.now();
    const tags = Object.fromEntries((r.tags ?? []).map((t) => [t.key, t.value]));
    this.d.store.insertStateMachine({ arn, name: r.name, definition: r.definition, roleArn: r.roleArn, type, origin: 'api', createdAt, tags });
    const version = r.publish ? this.d.store.publishVersion(arn, r.versionDescription, createdAt) : undefined;
    return { stateMachineArn: arn, creationDate: seconds(createdAt), ...(version ? { stateMachineVersionArn: version.arn } : {}) };
  }

  /** What StartExecution and StartSyncExecution run: the machine's current revision, or the version its ARN names. */
  private runTarget(arn: string): { machine: StateMachineRecord; target: RunTarget } {
    const { machine, version, alias } = this.target(arn, { start: true });
    const target: RunTarget = version
      ? { arn: machine.arn, definition: version.definition, roleArn: version.roleArn, revisionId: version.revisionId, versionArn: version.arn, ...(alias ? { aliasArn: alias.arn } : {}) }
      : machine;
    return { machine, target };
  }

  /** An EXPRESS machine's synchronous execution: it runs to its end before the answer. */
  private async startSyncExecution(r: RequestOf<'StartSyncExecution'>): Promise<object> {
    const { machine, target } = this.runTarget(r.stateMachineArn);
    if (machine.type !== 'EXPRESS') throw sfnError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
    const { name, input } = executionNameAndInput(r);
    const started = this.d.runner.start(target, name, await this.sealed(target, input), { arn: expressExecutionArn(machine.arn, name, randomUUID()) });
    const ended = await this.d.runner.awaitEnd(started.arn);
    const withData = r.includedData !== 'METADATA_ONLY';
    const stopDate = ended.stopDate ?? Date.now();
    return {
      executionArn: ended.arn,
      stateMachineArn: r.stateMachineArn,
      name,
      startDate: seconds(ended.startDate),
      stopDate: seconds(stopDate),
      // A synchronous Express execution ends SUCCEEDED, FAILED or TIMED_OUT; a stop shows as FAILED.
      status: ended.status === 'ABORTED' ? 'FAILED' : ended.status,
      ...(ended.error !== undefined ? { error: ended.error } : {}),
      ...(ended.cause !== undefined ? { cause: ended.cause } : {}),
      ...(withData ? { input: ended.input } : {}),
      inputDetails: { included: withData },
      ...(withData && ended.output !== undefined ? { output: ended.output } : {}),
      outputDetails: { included: withData },
      ...(r.traceHeader !== undefined ? { traceHeader: r.traceHeader } : {}),
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil((stopDate - ended.startDate) / 100) * 100) },
    };
  }

  /** The input with a compiled workflow's personal inputs sealed (the endpoint is their starter), named as AWS names a bad input. */
  private async sealed(target: RunTarget, input: string): Promise<string> {
    try {
      return await this.d.runner.sealInput(target, input);
    } catch (err) {
      throw sfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(err as Error).message}'`);
    }
  }

  private async startExecution(r: RequestOf<'StartExecution'>): Promise<object> {
    const { machine, target } = this.runTarget(r.stateMachineArn);
    const { name, input: given } = executionNameAndInput(r);
    const input = await this.sealed(target, given);
    // An Express machine's asynchronous execution: AWS does not keep it for DescribeExecution (its ARN says express).
    if (machine.type === 'EXPRESS') {
      const started = this.d.runner.start(target, name, input, { arn: expressExecutionArn(machine.arn, name, randomUUID()) });
      return { executionArn: started.arn, startDate: seconds(started.startDate) };
    }
    const arn = executionArn(machine.arn, name);
    const existing = this.d.store.getExecution(arn);
    if (existing) {
      // Idempotent for a running execution with the same input; otherwise the name is taken (AWS keeps it 90 days).
      if (existing.status === 'RUNNING' && (await this.d.runner.sameInput(target, existing.input, given))) return { executionArn: arn, startDate: seconds(existing.startDate) };
      throw sfnError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const started = this.d.runner.start(target, name, input);
    return { executionArn: started.arn, startDate: seconds(started.startDate) };
  }
}

function checkRoleArn(roleArn: string): void {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) throw sfnError('InvalidArn', `Invalid Arn: 'Invalid role ARN: ${roleArn}'`);
}

/** The name and input of a StartExecution or StartSyncExecution, checked as AWS checks them (a name made when none is given). */
function executionNameAndInput(r: { name?: string; input?: string }): { name: string; input: string } {
  const name = r.name ?? randomUUID();
  if (!isValidName(name)) throw sfnError('InvalidName', `Invalid Name: '${name}'`);
  const input = r.input ?? '{}';
  try {
    JSON.parse(input);
  } catch (err) {
    throw sfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${jsonSyntaxProblem(err)}'`);
  }
  return { name, input };
}
