import { validateFaultRule, type FaultRule } from '../http/index.js';

export const VERIFICATION_OUTCOMES = ['verified', 'unverified', 'failed'] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];

/** Real Fintecture payment statuses (`payment_created` is the final success). */
export const PAYMENT_STATUSES = [
  'payment_created',
  'payment_pending',
  'payment_waiting',
  'sca_required',
  'provider_required',
  'payment_cancelled',
  'payment_unsuccessful',
  'payment_expired',
  'payment_error',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export interface VerificationScenario {
  /** Reads of a new verification that answer `pending` before it settles; `Infinity` never settles. */
  readonly pendingPolls: number;
  readonly outcome: VerificationOutcome;
  /** `match_score` of a `verified` outcome (0..1). */
  readonly matchScore: number;
}

export interface PaymentScenario {
  /** Reads of a new payment that answer `payment_pending` before it settles; `Infinity` never settles. */
  readonly pendingPolls: number;
  /** Where the payment settles. */
  readonly status: PaymentStatus;
}

export interface TokenScenario {
  /** Lifetime of new access tokens (`expires_in`). */
  readonly expiresInSeconds: number;
}

/** How one sandbox instance behaves; magic e-mail tags override it per customer or payment. */
export interface FintectureScenario {
  readonly verification: VerificationScenario;
  readonly payment: PaymentScenario;
  readonly tokens: TokenScenario;
  readonly faults: readonly FaultRule[];
}

/** Accepted wherever a scenario is set: every part optional, nested parts merged over the defaults. */
export interface FintectureScenarioOverrides {
  readonly verification?: Partial<VerificationScenario>;
  readonly payment?: Partial<PaymentScenario>;
  readonly tokens?: Partial<TokenScenario>;
  readonly faults?: readonly FaultRule[];
}

export const DEFAULT_FINTECTURE_SCENARIO: FintectureScenario = Object.freeze({
  verification: Object.freeze({ pendingPolls: 2, outcome: 'verified', matchScore: 0.97 }),
  payment: Object.freeze({ pendingPolls: 0, status: 'payment_created' }),
  tokens: Object.freeze({ expiresInSeconds: 3600 }),
  faults: Object.freeze([]) as readonly FaultRule[],
}) as FintectureScenario;

function checkPolls(value: number, where: string): void {
  if (!(value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 0))) {
    throw new RangeError(`${where} must be a non-negative integer or Infinity`);
  }
}

function checkOneOf(value: string, allowed: readonly string[], where: string): void {
  if (!allowed.includes(value)) throw new RangeError(`${where} must be one of ${allowed.join(', ')}`);
}

/** The defaults with `overrides` merged in, checked so a typo fails at setup rather than mid-run. */
export function resolveFintectureScenario(overrides: FintectureScenarioOverrides = {}): FintectureScenario {
  const d = DEFAULT_FINTECTURE_SCENARIO;
  const scenario: FintectureScenario = {
    verification: { ...d.verification, ...overrides.verification },
    payment: { ...d.payment, ...overrides.payment },
    tokens: { ...d.tokens, ...overrides.tokens },
    faults: [...(overrides.faults ?? d.faults)],
  };
  checkPolls(scenario.verification.pendingPolls, 'verification.pendingPolls');
  checkOneOf(scenario.verification.outcome, VERIFICATION_OUTCOMES, 'verification.outcome');
  const score = scenario.verification.matchScore;
  if (!(score >= 0 && score <= 1)) throw new RangeError('verification.matchScore must be between 0 and 1');
  checkPolls(scenario.payment.pendingPolls, 'payment.pendingPolls');
  checkOneOf(scenario.payment.status, PAYMENT_STATUSES, 'payment.status');
  const ttl = scenario.tokens.expiresInSeconds;
  if (!(Number.isInteger(ttl) && ttl > 0)) throw new RangeError('tokens.expiresInSeconds must be a positive integer');
  scenario.faults.forEach(validateFaultRule);
  return scenario;
}
