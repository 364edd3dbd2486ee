import { PAYMENT_STATUSES, VERIFICATION_OUTCOMES, type PaymentStatus, type VerificationOutcome } from './fintecture-scenario.js';

/** What the `+tags` of an e-mail address ask of the sandbox. */
export interface SandboxTags {
  readonly pendingPolls?: number;
  readonly verificationOutcome?: VerificationOutcome;
  readonly paymentStatus?: PaymentStatus;
  /** From `+scoreNN`: NN / 100. */
  readonly matchScore?: number;
}

/**
 * Reads outcome tags from the local part of an e-mail address, Stripe-test-card style, so that
 * concurrent executions against one sandbox can each choose their outcome:
 * `jane+pending3+failed@example.com` reads pending three times, then fails. Unknown tags are
 * ordinary sub-addressing and are ignored; when a tag repeats, the last one wins.
 */
export function parseSandboxTags(email: string | undefined): SandboxTags {
  const local = email?.split('@')[0] ?? '';
  const tags: { -readonly [K in keyof SandboxTags]: SandboxTags[K] } = {};
  for (const raw of local.split('+').slice(1)) {
    const tag = raw.toLowerCase();
    const pending = /^pending(\d{1,4})$/.exec(tag);
    const score = /^score(\d{1,3})$/.exec(tag);
    if (pending) tags.pendingPolls = Number(pending[1]);
    else if (tag === 'never') tags.pendingPolls = Number.POSITIVE_INFINITY;
    else if (score && Number(score[1]) <= 100) tags.matchScore = Number(score[1]) / 100;
    else if ((VERIFICATION_OUTCOMES as readonly string[]).includes(tag)) tags.verificationOutcome = tag as VerificationOutcome;
    else if ((PAYMENT_STATUSES as readonly string[]).includes(tag)) tags.paymentStatus = tag as PaymentStatus;
  }
  return tags;
}
