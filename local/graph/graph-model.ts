import { classifyTaskResource } from '../history/classify-task-resource.js';

/** The console's "Start" pseudo-node. A NUL cannot occur in a state name the service accepts, so it never clashes; it is never printed. */
export const START_NODE = '\u0000start';

export type GraphNodeKind = 'start' | 'Task' | 'Choice' | 'Wait' | 'Pass' | 'Succeed' | 'Fail' | 'Map' | 'Parallel' | 'unknown';

export interface RetrySummary {
  readonly errors: readonly string[];
  readonly maxAttempts: number;
}

export interface GraphNode {
  readonly id: string;
  readonly kind: GraphNodeKind;
  /** A short line under the name: what the state does (Lambda, nested execution, wait source…). */
  readonly detail?: string;
  readonly comment?: string;
  /** The Task ends the execution itself (`End: true`). */
  readonly ends?: boolean;
  /** A Parallel state's branches, each as the states it runs on its success route (`seller → login`). */
  readonly branches?: readonly string[];
  readonly retry?: readonly RetrySummary[];
}

/**
 * `flow`: Next, Default and Choice rules. `catch`: a Catch clause. Parallel transitions of the same
 * class between two states are one edge with several labels, so an executed transition (known
 * only by its two states in the history) maps to exactly one edge.
 */
export type GraphEdgeKind = 'flow' | 'catch';

export interface GraphEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: GraphEdgeKind;
  readonly labels: readonly string[];
}

export interface StateGraph {
  readonly startAt: string;
  /** The start pseudo-node first, then the states in definition order. */
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export interface DefinitionLike {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, unknown>>;
}

export const edgeKey = (from: string, to: string, kind: GraphEdgeKind) => `${from}\u0000${to}\u0000${kind}`;

const COMPARISONS: Readonly<Record<string, string>> = {
  StringEquals: '==',
  StringLessThan: '<',
  StringGreaterThan: '>',
  StringLessThanEquals: '≤',
  StringGreaterThanEquals: '≥',
  StringMatches: '~',
  NumericEquals: '==',
  NumericLessThan: '<',
  NumericGreaterThan: '>',
  NumericLessThanEquals: '≤',
  NumericGreaterThanEquals: '≥',
  BooleanEquals: '==',
  TimestampEquals: '==',
  TimestampLessThan: '<',
  TimestampGreaterThan: '>',
  TimestampLessThanEquals: '≤',
  TimestampGreaterThanEquals: '≥',
};

const TYPE_TESTS: Readonly<Record<string, string>> = {
  IsNull: 'null',
  IsPresent: 'present',
  IsNumeric: 'numeric',
  IsString: 'string',
  IsBoolean: 'boolean',
  IsTimestamp: 'timestamp',
};

/** `$.steps.poll.attempts` → `attempts`: the rule's subject without the state-data plumbing. */
function shortPath(path: unknown): string {
  if (typeof path !== 'string') return '?';
  const last = /[.[]([^.[\]]+)\]?$/.exec(path);
  return last ? last[1].replace(/^['"]|['"]$/g, '') : path;
}

/**
 * A Choice rule as a reader of the workflow would name it. Outcome tests the compiler emits
 * (`$.steps.<id>.outcome == "onSuccess.verified"`) read as the outcome itself.
 */
export function describeChoiceRule(rule: Record<string, any>): string {
  if (typeof rule.Condition === 'string') return rule.Condition;
  if (Array.isArray(rule.And)) return rule.And.map((r: Record<string, any>) => describeChoiceRule(r)).join(' ∧ ');
  if (Array.isArray(rule.Or)) return rule.Or.map((r: Record<string, any>) => wrap(describeChoiceRule(r))).join(' ∨ ');
  if (rule.Not && typeof rule.Not === 'object') return `¬${wrap(describeChoiceRule(rule.Not))}`;
  const variable = rule.Variable;
  if (typeof variable === 'string' && /\.outcome$/.test(variable) && typeof rule.StringEquals === 'string') return rule.StringEquals;
  for (const [op, symbol] of Object.entries(COMPARISONS)) {
    if (op in rule) return `${shortPath(variable)} ${symbol} ${JSON.stringify(rule[op])}`;
    if (`${op}Path` in rule) return `${shortPath(variable)} ${symbol} ${shortPath(rule[`${op}Path`])}`;
  }
  for (const [op, word] of Object.entries(TYPE_TESTS)) {
    if (op in rule) return `${shortPath(variable)} ${rule[op] ? 'is' : 'is not'} ${word}`;
  }
  return shortPath(variable);
}

const wrap = (text: string) => (/[∧∨ ]/.test(text) ? `(${text})` : text);

function taskDetail(state: Record<string, any>): string {
  const resource = typeof state.Resource === 'string' ? state.Resource : '';
  const kind = classifyTaskResource(resource);
  if (kind.kind === 'activity') return 'Activity';
  if (kind.kind === 'lambda') return 'Lambda';
  if (kind.resourceType === 'states' && kind.resource.startsWith('startExecution')) return 'StartExecution (nested workflow)';
  const pattern = /\.(waitForTaskToken|sync(?::\d+)?)$/.exec(kind.resource)?.[1];
  const service = `${kind.resourceType.replace(/^aws-sdk:/, '')}:${kind.resource.replace(/\.(waitForTaskToken|sync(?::\d+)?)$/, '')}`;
  return pattern === 'waitForTaskToken' ? `${service} (callback)` : service;
}

function waitDetail(state: Record<string, any>): string {
  if (typeof state.Seconds === 'number') return `${state.Seconds} s`;
  if (typeof state.Timestamp === 'string') return `until ${state.Timestamp}`;
  if (typeof state.SecondsPath === 'string') return `seconds from ${shortPath(state.SecondsPath)}`;
  if (typeof state.TimestampPath === 'string') return `until ${shortPath(state.TimestampPath)}`;
  return 'Wait';
}

/**
 * The Task and Parallel states a branch runs when nothing fails nor loops: from StartAt along
 * Next (a Choice's Default), helper states (Choice, Wait, Succeed) left out.
 */
function successRoute(branch: Record<string, any>): string[] {
  const states = (branch?.States ?? {}) as Record<string, Record<string, any>>;
  const route: string[] = [];
  const seen = new Set<string>();
  let at: unknown = branch?.StartAt;
  while (typeof at === 'string' && states[at] && !seen.has(at)) {
    seen.add(at);
    const state = states[at];
    if (state.Type === 'Task' || state.Type === 'Parallel') route.push(at);
    at = state.Type === 'Choice' ? state.Default : state.Next;
  }
  return route;
}

function nodeOf(name: string, raw: unknown): GraphNode {
  const state = (raw && typeof raw === 'object' ? raw : {}) as Record<string, any>;
  const type = state.Type;
  const comment = typeof state.Comment === 'string' ? state.Comment : undefined;
  const base = { id: name, ...(comment ? { comment } : {}) };
  switch (type) {
    case 'Task': {
      const retry = Array.isArray(state.Retry)
        ? state.Retry.map((r: Record<string, any>) => ({
            errors: Array.isArray(r.ErrorEquals) ? r.ErrorEquals.map(String) : [],
            // ASL's default when MaxAttempts is omitted.
            maxAttempts: typeof r.MaxAttempts === 'number' ? r.MaxAttempts : 3,
          }))
        : [];
      return { ...base, kind: 'Task', detail: taskDetail(state), ...(state.End === true ? { ends: true } : {}), ...(retry.length ? { retry } : {}) };
    }
    case 'Wait':
      return { ...base, kind: 'Wait', detail: waitDetail(state), ...(state.End === true ? { ends: true } : {}) };
    case 'Choice':
      return { ...base, kind: 'Choice', detail: 'Choice' };
    case 'Succeed':
      return { ...base, kind: 'Succeed', detail: 'Succeed' };
    case 'Fail': {
      // A dynamic error (ErrorPath) is only known once the state runs: the overlay shows it then.
      return { ...base, kind: 'Fail', detail: typeof state.Error === 'string' ? `Fail · ${state.Error}` : 'Fail' };
    }
    case 'Parallel': {
      const branches = Array.isArray(state.Branches) ? state.Branches.map((b: Record<string, any>) => successRoute(b).join(' → ')) : [];
      return { ...base, kind: 'Parallel', detail: `Parallel · ${branches.length} branches`, branches, ...(state.End === true ? { ends: true } : {}) };
    }
    case 'Pass':
    case 'Map':
      return { ...base, kind: type, detail: type, ...(state.End === true ? { ends: true } : {}) };
    default:
      return { ...base, kind: 'unknown', detail: typeof type === 'string' ? type : 'unknown type' };
  }
}

/**
 * Reads the top-level machine of a definition as nodes and edges. Map/Parallel states are single
 * nodes (their inner machines are executions of their own in the console too); a Parallel node
 * lists its branches' routes. Transitions to
 * names the definition does not declare are dropped: there is nothing to draw them to.
 */
export function buildStateGraph(definition: DefinitionLike): StateGraph {
  const names = Object.keys(definition.States);
  const declared = new Set(names);
  const nodes: GraphNode[] = [{ id: START_NODE, kind: 'start' }, ...names.map((name) => nodeOf(name, definition.States[name]))];
  const edges = new Map<string, { from: string; to: string; kind: GraphEdgeKind; labels: string[] }>();
  const add = (from: string, to: unknown, kind: GraphEdgeKind, label?: string) => {
    if (typeof to !== 'string' || !declared.has(to)) return;
    const key = edgeKey(from, to, kind);
    let edge = edges.get(key);
    if (!edge) edges.set(key, (edge = { from, to, kind, labels: [] }));
    if (label && !edge.labels.includes(label)) edge.labels.push(label);
  };

  add(START_NODE, definition.StartAt, 'flow');
  for (const name of names) {
    const state = (definition.States[name] ?? {}) as Record<string, any>;
    if (state.Type === 'Choice') {
      for (const rule of Array.isArray(state.Choices) ? state.Choices : []) add(name, rule?.Next, 'flow', describeChoiceRule(rule ?? {}));
      add(name, state.Default, 'flow', 'Default');
    } else {
      add(name, state.Next, 'flow');
    }
    for (const clause of Array.isArray(state.Catch) ? state.Catch : []) {
      const errors = Array.isArray(clause?.ErrorEquals) ? clause.ErrorEquals.join(', ') : '';
      add(name, clause?.Next, 'catch', `catch ${errors}`.trim());
    }
  }
  return {
    startAt: definition.StartAt,
    nodes,
    edges: [...edges.values()].map((e, i) => ({ id: `e${i}`, ...e })),
  };
}
