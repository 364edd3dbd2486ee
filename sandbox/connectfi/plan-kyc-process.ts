import type { CallbackSwap, KycScenario, KycStatus } from './connectfi-scenario.js';
import type { ConnectFiTags } from './parse-connectfi-tags.js';

/** How one KYC process unfolds, fixed when it starts so a later scenario change does not move it. */
export type KycPlan = KycScenario;

/** One callback to deliver (or, `lost`, to drop where it would have been delivered). */
export interface CallbackDelivery {
  /** Index of the status in the plan's sequence. */
  readonly index: number;
  readonly status: KycStatus;
  readonly delivery: 'sent' | 'duplicate' | 'lost';
}

/** One status change of the process and the callbacks delivered right after it. */
export interface KycStep {
  readonly status: KycStatus;
  readonly deliveries: readonly CallbackDelivery[];
}

/**
 * The customer's tags over the scenario. One status tag names the outcome (it replaces the last
 * status of the scenario's sequence); two or more are the whole sequence. Delivery tags
 * (`+dupN`, `+loseN`, `+swap`) replace the scenario's delivery options together. Indices past
 * the sequence are dropped, and a callback both lost and duplicated is lost.
 */
export function planKycProcess(scenario: KycScenario, tags: ConnectFiTags): KycPlan {
  const sequence =
    tags.statuses.length === 0
      ? [...scenario.sequence]
      : tags.statuses.length === 1
        ? [...scenario.sequence.slice(0, -1), tags.statuses[0]]
        : [...tags.statuses];
  const tagged = tags.duplicate.length > 0 || tags.lose.length > 0 || tags.outOfOrder !== undefined;
  const inRange = (i: number) => i < sequence.length;
  const lose = [...new Set((tagged ? tags.lose : scenario.lose).filter(inRange))];
  const duplicate = [...new Set((tagged ? tags.duplicate : scenario.duplicate).filter((i) => inRange(i) && !lose.includes(i)))];
  return {
    sequence,
    callbackIntervalMs: tags.callbackIntervalMs ?? scenario.callbackIntervalMs,
    callbackTimeoutMs: scenario.callbackTimeoutMs,
    duplicate,
    lose,
    outOfOrder: usableSwap(tagged ? tags.outOfOrder : scenario.outOfOrder, sequence.length),
  };
}

function usableSwap(swap: boolean | CallbackSwap | undefined, length: number): false | CallbackSwap {
  if (swap === true) return length >= 2 ? [length - 2, length - 1] : false;
  if (!swap) return false;
  const [first, second] = swap;
  return first < second && second < length ? [first, second] : false;
}

/**
 * The order of events: step i moves the process to `sequence[i]` and delivers its callback,
 * except that the first callback of an `outOfOrder` pair is held back and delivered right after
 * the second. Holding it back (rather than sending a status early) keeps every callback true
 * when it is sent: a receiver sees a stale status arrive late, as a retried webhook does.
 */
export function scheduleKycSteps(plan: KycPlan): KycStep[] {
  const deliveriesFor = (index: number): CallbackDelivery[] => {
    const status = plan.sequence[index];
    if (plan.lose.includes(index)) return [{ index, status, delivery: 'lost' }];
    const first: CallbackDelivery = { index, status, delivery: 'sent' };
    return plan.duplicate.includes(index) ? [first, { index, status, delivery: 'duplicate' }] : [first];
  };
  const [heldBack, releasedAfter] = plan.outOfOrder || [-1, -1];
  return plan.sequence.map((status, i) => {
    if (i === heldBack) return { status, deliveries: [] };
    const deliveries = deliveriesFor(i);
    if (i === releasedAfter) deliveries.push(...deliveriesFor(heldBack));
    return { status, deliveries };
  });
}
