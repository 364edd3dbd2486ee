import type { Accessor } from './parse-expression.js';

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * The member `key` of a JSON value, or undefined when there is none. Only own properties
 * count, so names such as `constructor` or `__proto__` never reach the prototype chain.
 */
export function childOf(value: unknown, key: string): unknown {
  if (Array.isArray(value)) {
    // RFC 6901 §4: array indices are decimal without leading zeros; "-" names no element.
    return ARRAY_INDEX.test(key) ? value[Number(key)] : undefined;
  }
  if (value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, key)) {
    return (value as Record<string, unknown>)[key];
  }
  return undefined;
}

/** Applies `.name`, `[index]` and `#/pointer` steps; any missing location gives undefined. */
export function resolveAccessors(value: unknown, tail: readonly Accessor[]): unknown {
  let current = value;
  for (const accessor of tail) {
    if (current === undefined) return undefined;
    switch (accessor.kind) {
      case 'property':
        current = childOf(current, accessor.name);
        break;
      case 'index':
        current = Array.isArray(current) ? current[accessor.index] : undefined;
        break;
      case 'pointer':
        for (const token of accessor.tokens) {
          current = childOf(current, token);
          if (current === undefined) return undefined;
        }
        break;
    }
  }
  return current;
}
