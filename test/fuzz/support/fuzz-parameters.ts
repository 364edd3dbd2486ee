import fc from 'fast-check';

const scale = Math.max(1, Number(process.env.FUZZ_RUNS_SCALE ?? 1) || 1);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

export const FUZZ_TIME_LIMIT_MS = 8_000;

/**
 * Bounded property runs for CI: `numRuns` cases, cut short (and not failed) after `timeLimitMs`
 * so a slow machine trades coverage for time rather than timing out. `FUZZ_SEED` replays the run
 * a failure reports; `FUZZ_RUNS_SCALE` (e.g. 20) fuzzes that many times longer on demand.
 */
export function fuzzParameters<T>(numRuns: number, timeLimitMs = FUZZ_TIME_LIMIT_MS): fc.Parameters<T> {
  return {
    numRuns: Math.round(numRuns * scale),
    interruptAfterTimeLimit: timeLimitMs * scale,
    markInterruptAsFailure: false,
    ...(seed !== undefined && Number.isInteger(seed) ? { seed } : {}),
  };
}

/** The test timeout that lets a property use its whole time limit. */
export const FUZZ_TEST_TIMEOUT_MS = FUZZ_TIME_LIMIT_MS * scale + 15_000;

/** Fragments of the runtime-expression and condition grammars, so random text is mostly near-valid. */
const FRAGMENTS = [
  '$', 'url', 'method', 'statusCode', 'request', 'response', 'inputs', 'outputs', 'steps', 'workflows', 'sourceDescriptions',
  'components', 'header', 'query', 'path', 'body', 'parameters', 'successActions', 'failureActions', '.', '#', '/', '~', '~0',
  '~1', '{', '}', '[', ']', '0', '12', '007', 'a', 'x-y', 'A_b', ' ', '"', "'", "''", '(', ')', '==', '!=', '<', '<=', '>',
  '>=', '!', '&&', '||', '&', '|', '=', 'true', 'false', 'null', '-1.5e3', '1.', '\\', '\\"', '\n', '\t', 'é', '😀', '\u0000',
  '@', '?', '*', '..', 'in', ',', ':', '$.', '$[', '@.', '[?', '$..', 'length(', 'match(',
] as const;

/** Text made of grammar fragments, or of arbitrary code points. */
export const grammarText = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((parts) => parts.join(''));
export const anyText = fc.oneof(grammarText, fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 40 }));
