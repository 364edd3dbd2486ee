import type { IncomingHttpHeaders } from 'node:http';
import type { FaultRule } from './fault-rule.js';

/** What a fault selector sees of a request. */
export interface FaultTarget {
  readonly method: string;
  readonly path: string;
  readonly operationId?: string;
  readonly pathTemplate?: string;
  /** Lower-case names, as node:http gives them. */
  readonly headers?: IncomingHttpHeaders;
}

export interface FaultInjector {
  /** The first rule that matches and still has budget, which is spent by one. */
  take(target: FaultTarget): FaultRule | undefined;
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  if (rule.operationId !== undefined && rule.operationId !== target.operationId) return false;
  if (rule.method !== undefined && rule.method.toUpperCase() !== target.method.toUpperCase()) return false;
  if (rule.path instanceof RegExp) {
    // A global or sticky RegExp keeps `lastIndex` between calls; reset it so every request is tested afresh.
    rule.path.lastIndex = 0;
    if (!rule.path.test(target.path)) return false;
  } else if (rule.path !== undefined && rule.path !== target.path && rule.path !== target.pathTemplate) {
    return false;
  }
  for (const [name, expected] of Object.entries(rule.headers ?? {})) {
    const raw = target.headers?.[name.toLowerCase()];
    if (raw === undefined) return false;
    const actual = Array.isArray(raw) ? raw.join(', ') : raw;
    if (expected instanceof RegExp) {
      expected.lastIndex = 0;
      if (!expected.test(actual)) return false;
    } else if (actual !== expected) {
      return false;
    }
  }
  return true;
}

export function validateFaultRule(rule: FaultRule, index: number): void {
  const where = `faults[${index}]`;
  if (rule.status !== undefined && (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599)) {
    throw new RangeError(`${where}.status must be an HTTP status code`);
  }
  for (const key of ['times', 'delayMs', 'bodyDelayMs', 'retryAfterSeconds'] as const) {
    const value = rule[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new RangeError(`${where}.${key} must be a non-negative integer`);
    }
  }
  if (rule.retryAfter !== undefined && rule.retryAfter !== false && (typeof rule.retryAfter !== 'string' || /[\r\n]/.test(rule.retryAfter))) {
    throw new RangeError(`${where}.retryAfter must be false or a header value on one line`);
  }
  if (rule.contentType !== undefined && (typeof rule.contentType !== 'string' || /[\r\n]/.test(rule.contentType))) {
    throw new RangeError(`${where}.contentType must be a header value on one line`);
  }
  if (rule.when !== undefined && rule.when !== 'before' && rule.when !== 'after') {
    throw new RangeError(`${where}.when must be 'before' or 'after'`);
  }
}

/** Keeps each rule's remaining `times` for as long as the scenario that holds the rules. */
export function createFaultInjector(rules: readonly FaultRule[]): FaultInjector {
  rules.forEach(validateFaultRule);
  const remaining = rules.map((r) => r.times ?? Number.POSITIVE_INFINITY);
  return {
    take(target) {
      const index = rules.findIndex((rule, i) => remaining[i] > 0 && matches(rule, target));
      if (index < 0) return undefined;
      remaining[index] -= 1;
      return rules[index];
    },
  };
}
