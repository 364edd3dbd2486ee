import type { FaultRule } from '../../../sandbox/index.js';

/** mulberry32: a tiny seeded PRNG, so a schedule is the same on every machine and every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POLL = 'getCustomerVerificationById';

/** What one seed 000 execution is expected to end with. */
export interface ExpectedEnd {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  /** The workflow output that says which way it went: `finalStatus` or `failedStatus`. */
  readonly output?: { readonly finalStatus?: string; readonly failedStatus?: string };
}

/**
 * One fault a seed 000 execution may meet, as a rule without its selector (the caller adds the
 * header that picks that execution's requests) and what it does to the execution: `undefined`
 * leaves the outcome the verification plan gives, else the named error it fails with.
 */
export interface FaultKind {
  readonly name: string;
  readonly rule: Omit<FaultRule, 'headers'>;
  /** How many requests the fault answers in that execution (a retried fault answers each attempt). */
  readonly hits: number;
  readonly failsWith?: string;
}

/**
 * Faults of seed 000 and their consequence, by the retry rules of the compiled definition: the
 * poll (a GET) is retried on Arazzo.ProviderUnavailable and Arazzo.UnexpectedContentType (an
 * answer labelled with a media type the operation does not declare, with CONTENT_TYPE_CHECK at
 * error as the concurrency test compiles it) up to 3 times; the two POSTs
 * carry no idempotency key, so are never retried; a malformed body is not a transport fault and is
 * not retried.
 */
export const SEED_000_FAULTS: readonly FaultKind[] = [
  { name: 'poll 503 once', rule: { operationId: POLL, status: 503, times: 1 }, hits: 1 },
  { name: 'poll 500 three times', rule: { operationId: POLL, status: 500, times: 3 }, hits: 3 },
  { name: 'poll 502 always', rule: { operationId: POLL, status: 502 }, hits: 4, failsWith: 'Arazzo.ProviderUnavailable' },
  { name: 'poll 429 twice', rule: { operationId: POLL, status: 429, retryAfterSeconds: 1, times: 2 }, hits: 2 },
  { name: 'poll reset once', rule: { operationId: POLL, resetConnection: true, times: 1 }, hits: 1 },
  { name: 'poll slow once', rule: { operationId: POLL, delayMs: 150, times: 1 }, hits: 1 },
  { name: 'poll malformed JSON', rule: { operationId: POLL, malformedJson: true, times: 1 }, hits: 1, failsWith: 'Arazzo.InvalidResponse' },
  { name: 'poll mislabelled once', rule: { operationId: POLL, contentType: 'text/plain', times: 1 }, hits: 1 },
  { name: 'poll mislabelled always', rule: { operationId: POLL, contentType: 'text/plain' }, hits: 4, failsWith: 'Arazzo.UnexpectedContentType' },
  { name: 'createCustomer 500', rule: { operationId: 'createCustomer', status: 500, times: 1 }, hits: 1, failsWith: 'Arazzo.StepFailed' },
  { name: 'createCustomer reset after creating', rule: { operationId: 'createCustomer', resetConnection: true, when: 'after', times: 1 }, hits: 1, failsWith: 'Arazzo.ProviderUnavailable' },
  { name: 'startVerification 503', rule: { operationId: 'initiateCustomerVerification', status: 503, times: 1 }, hits: 1, failsWith: 'Arazzo.StepFailed' },
];

export interface ScheduledExecution {
  readonly index: number;
  readonly email: string;
  readonly fault?: FaultKind;
  readonly expected: ExpectedEnd;
}

export interface ScheduleOptions {
  readonly executions: number;
  readonly seed: number;
  /** Share of executions that meet one injected fault (rounded to a whole number of executions). */
  readonly faultRate: number;
  /** Share of executions whose verification never settles (they end on the loop bound). */
  readonly neverRate: number;
}

/**
 * Draws, per execution, its verification plan (as e-mail tags the sandbox honours) and whether
 * and which fault it meets, and derives the end each must reach. The draw depends on the seed
 * only, so the expected counts are computed from the schedule rather than written down.
 */
export function scheduleSeed000(options: ScheduleOptions): ScheduledExecution[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  // Exactly that share of executions meets a fault: the first ones of a seeded shuffle.
  const order = Array.from({ length: options.executions }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const faulted = new Set(order.slice(0, Math.round(options.executions * options.faultRate)));
  const out: ScheduledExecution[] = [];
  for (let index = 0; index < options.executions; index++) {
    const never = random() < options.neverRate;
    const pending = pick([0, 1, 2]);
    const outcome = pick(['verified', 'verified', 'unverified', 'failed'] as const);
    const fault = faulted.has(index) ? pick(SEED_000_FAULTS) : undefined;
    const email = never ? `c${index}+never@example.com` : `c${index}+pending${pending}+${outcome}@example.com`;
    let expected: ExpectedEnd;
    if (fault?.failsWith) expected = { status: 'FAILED', error: fault.failsWith };
    else if (never) expected = { status: 'FAILED', error: 'Arazzo.RetryLimitExceeded' };
    else if (outcome === 'verified') expected = { status: 'SUCCEEDED', output: { finalStatus: 'verified' } };
    // Not verified: the poll routes to reportFailure, whose read ends the workflow; both outputs then say why.
    else expected = { status: 'SUCCEEDED', output: { finalStatus: outcome, failedStatus: outcome } };
    out.push({ index, email, ...(fault ? { fault } : {}), expected });
  }
  return out;
}

/** `{ SUCCEEDED: n, 'FAILED Arazzo.X': m, ... }`, keys sorted: how a batch of ends is compared. */
export function tally(ends: readonly { readonly status: string; readonly error?: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of ends) {
    const key = e.status === 'SUCCEEDED' ? 'SUCCEEDED' : `${e.status} ${e.error ?? '?'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
