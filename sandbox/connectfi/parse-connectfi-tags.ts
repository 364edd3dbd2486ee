import { KYC_STATUSES, type CallbackSwap, type KycStatus } from './connectfi-scenario.js';

/** What the `+tags` of a customer's e-mail address ask of its KYC processes. */
export interface ConnectFiTags {
  /** Status tags in the order written. */
  readonly statuses: readonly KycStatus[];
  /** `+dupN`, repeatable. */
  readonly duplicate: readonly number[];
  /** `+loseN`, repeatable. */
  readonly lose: readonly number[];
  /** `+swap` (the last two: `true`) or `+swapI-J`. */
  readonly outOfOrder?: true | CallbackSwap;
  /** `+intervalN`: milliseconds between status changes. */
  readonly callbackIntervalMs?: number;
}

const MAX_INTERVAL_MS = 60_000;

/**
 * Reads KYC tags from the local part of an e-mail address, as the Fintecture simulator does, so
 * that concurrent executions against one sandbox can each choose how their KYC unfolds:
 * `jane+review+declined+lose1@example.com` goes REVIEW then DECLINED and never delivers the
 * DECLINED callback. Unknown tags are ordinary sub-addressing and are ignored; a repeated
 * `+swap` or `+interval` keeps its last value.
 */
export function parseConnectFiTags(email: string | undefined): ConnectFiTags {
  const local = email?.split('@')[0] ?? '';
  const statuses: KycStatus[] = [];
  const duplicate: number[] = [];
  const lose: number[] = [];
  let outOfOrder: true | CallbackSwap | undefined;
  let callbackIntervalMs: number | undefined;
  for (const raw of local.split('+').slice(1)) {
    const tag = raw.toLowerCase();
    const status = tag.toUpperCase();
    const dup = /^dup(\d{1,3})$/.exec(tag);
    const lost = /^lose(\d{1,3})$/.exec(tag);
    const swap = /^swap(?:(\d{1,3})-(\d{1,3}))?$/.exec(tag);
    const interval = /^interval(\d{1,5})$/.exec(tag);
    if ((KYC_STATUSES as readonly string[]).includes(status)) statuses.push(status as KycStatus);
    else if (dup) duplicate.push(Number(dup[1]));
    else if (lost) lose.push(Number(lost[1]));
    else if (swap) outOfOrder = swap[1] === undefined ? true : [Number(swap[1]), Number(swap[2])];
    else if (interval && Number(interval[1]) <= MAX_INTERVAL_MS) callbackIntervalMs = Number(interval[1]);
  }
  return {
    statuses,
    duplicate,
    lose,
    ...(outOfOrder !== undefined ? { outOfOrder } : {}),
    ...(callbackIntervalMs !== undefined ? { callbackIntervalMs } : {}),
  };
}
