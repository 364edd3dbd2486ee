import { validateFaultRule, type FaultRule } from '../http/index.js';

/** connectFi's KYC statuses; APPROVED and DECLINED are final. */
export const KYC_STATUSES = ['WAITING_DATA', 'PENDING', 'REVIEW', 'APPROVED', 'DECLINED'] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

/** A pair of callbacks (indices into the sequence, first < second) whose deliveries are swapped. */
export type CallbackSwap = readonly [number, number];

/**
 * How a KYC process unfolds once `POST /customer/kyc/init` starts it: the statuses it goes
 * through and how the callbacks that announce them are delivered.
 */
export interface KycScenario {
  /**
   * Statuses in the order the process reaches them, one callback each. `kyc/init` answers with
   * the first; the process then moves to each in turn, one every `callbackIntervalMs`.
   */
  readonly sequence: readonly KycStatus[];
  /** Time between two status changes (and their callbacks), in milliseconds. */
  readonly callbackIntervalMs: number;
  /** Indices of callbacks delivered twice, as a webhook sender that retries does. */
  readonly duplicate: readonly number[];
  /**
   * A callback held back until the later one of the pair has been delivered, so a receiver
   * sees the later status first (`false`: in order).
   */
  readonly outOfOrder: false | CallbackSwap;
  /** Indices of callbacks never delivered; the status still changes, so a poll sees it. */
  readonly lose: readonly number[];
  /** How long the sandbox waits for a receiver's answer before giving up on a callback. */
  readonly callbackTimeoutMs: number;
}

export interface ConnectFiTokenScenario {
  /** Lifetime of new tokens (`dtsExpireAt`). */
  readonly expiresInSeconds: number;
}

/** How one sandbox instance behaves; magic e-mail tags override the KYC part per customer. */
export interface ConnectFiScenario {
  readonly kyc: KycScenario;
  readonly tokens: ConnectFiTokenScenario;
  readonly faults: readonly FaultRule[];
}

/** Accepted wherever a scenario is set: every part optional, merged over the defaults. */
export interface ConnectFiScenarioOverrides {
  /** `outOfOrder: true` swaps the last two callbacks. */
  readonly kyc?: Partial<Omit<KycScenario, 'outOfOrder'>> & { readonly outOfOrder?: boolean | CallbackSwap };
  readonly tokens?: Partial<ConnectFiTokenScenario>;
  readonly faults?: readonly FaultRule[];
}

export const DEFAULT_CONNECTFI_SCENARIO: ConnectFiScenario = Object.freeze({
  kyc: Object.freeze({
    sequence: Object.freeze(['WAITING_DATA', 'REVIEW', 'APPROVED']) as readonly KycStatus[],
    callbackIntervalMs: 20,
    duplicate: Object.freeze([]) as readonly number[],
    outOfOrder: false,
    lose: Object.freeze([]) as readonly number[],
    callbackTimeoutMs: 5000,
  }),
  tokens: Object.freeze({ expiresInSeconds: 3600 }),
  faults: Object.freeze([]) as readonly FaultRule[],
}) as ConnectFiScenario;

function checkSequence(sequence: readonly string[], where: string): void {
  if (!Array.isArray(sequence) || sequence.length === 0) throw new RangeError(`${where} must list at least one status`);
  for (const status of sequence) {
    if (!(KYC_STATUSES as readonly string[]).includes(status)) throw new RangeError(`${where}: ${status} is not one of ${KYC_STATUSES.join(', ')}`);
  }
}

function checkIndices(indices: readonly number[], length: number, where: string): void {
  for (const i of indices) {
    if (!(Number.isInteger(i) && i >= 0 && i < length)) throw new RangeError(`${where}: ${i} is not a callback index (0..${length - 1})`);
  }
}

/** The swap as a pair, `true` meaning the last two; a pair must name two callbacks in order. */
export function normaliseSwap(outOfOrder: boolean | CallbackSwap | undefined, length: number, where: string): false | CallbackSwap {
  if (outOfOrder === undefined || outOfOrder === false) return false;
  if (outOfOrder === true) {
    if (length < 2) throw new RangeError(`${where} needs a sequence of at least two statuses`);
    return [length - 2, length - 1];
  }
  const [first, second] = outOfOrder;
  checkIndices([first, second], length, where);
  if (!(first < second)) throw new RangeError(`${where} must name an earlier callback, then a later one`);
  return [first, second];
}

function checkKyc(kyc: KycScenario): void {
  checkSequence(kyc.sequence, 'kyc.sequence');
  const n = kyc.sequence.length;
  checkIndices(kyc.duplicate, n, 'kyc.duplicate');
  checkIndices(kyc.lose, n, 'kyc.lose');
  const both = kyc.duplicate.find((i) => kyc.lose.includes(i));
  if (both !== undefined) throw new RangeError(`kyc.duplicate and kyc.lose both name callback ${both}`);
  if (!(Number.isInteger(kyc.callbackIntervalMs) && kyc.callbackIntervalMs >= 0)) throw new RangeError('kyc.callbackIntervalMs must be a non-negative integer');
  if (!(Number.isInteger(kyc.callbackTimeoutMs) && kyc.callbackTimeoutMs > 0)) throw new RangeError('kyc.callbackTimeoutMs must be a positive integer');
}

/** The defaults with `overrides` merged in, checked so a typo fails at setup rather than mid-run. */
export function resolveConnectFiScenario(overrides: ConnectFiScenarioOverrides = {}): ConnectFiScenario {
  const d = DEFAULT_CONNECTFI_SCENARIO;
  const merged = { ...d.kyc, ...overrides.kyc };
  const kyc: KycScenario = {
    ...merged,
    sequence: [...merged.sequence],
    duplicate: [...merged.duplicate],
    lose: [...merged.lose],
    outOfOrder: false,
  };
  checkKyc(kyc);
  const scenario: ConnectFiScenario = {
    kyc: { ...kyc, outOfOrder: normaliseSwap(merged.outOfOrder, kyc.sequence.length, 'kyc.outOfOrder') },
    tokens: { ...d.tokens, ...overrides.tokens },
    faults: [...(overrides.faults ?? d.faults)],
  };
  const ttl = scenario.tokens.expiresInSeconds;
  if (!(Number.isInteger(ttl) && ttl > 0)) throw new RangeError('tokens.expiresInSeconds must be a positive integer');
  scenario.faults.forEach(validateFaultRule);
  return scenario;
}
