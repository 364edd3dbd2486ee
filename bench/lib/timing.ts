export interface SampleOptions {
  /** Runs thrown away first, so V8 has compiled the hot paths and lazy requires are done. */
  readonly warmup: number;
  readonly samples: number;
}

const nsToMs = (ns: bigint) => Number(ns) / 1e6;

/** Keeps results reachable so no run can be optimised away as dead code. */
let sink: unknown;
export const consume = (value: unknown) => {
  sink = value;
  return sink;
};

/** Wall time in ms of each of `samples` calls of `fn`, after `warmup` calls. */
export async function timeAsync(fn: () => Promise<unknown>, { warmup, samples }: SampleOptions): Promise<number[]> {
  for (let i = 0; i < warmup; i++) consume(await fn());
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    const value = await fn();
    out.push(nsToMs(process.hrtime.bigint() - start));
    consume(value);
  }
  return out;
}

export function timeSync(fn: () => unknown, { warmup, samples }: SampleOptions): number[] {
  for (let i = 0; i < warmup; i++) consume(fn());
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    const value = fn();
    out.push(nsToMs(process.hrtime.bigint() - start));
    consume(value);
  }
  return out;
}

/** Marks the end of a phase: the time since the previous mark (or the start) is booked to `phase`. */
export type Lap = (phase: string) => void;

/**
 * Per-phase wall times of a multi-step run. The bookkeeping between phases is left out of both
 * neighbours, so the phases of a sample add up to the run minus the timer's own cost.
 * Phases keep the order of their first lap.
 */
export async function timePhases(fn: (lap: Lap) => Promise<unknown>, { warmup, samples }: SampleOptions): Promise<Map<string, number[]>> {
  const phases = new Map<string, number[]>();
  for (let i = 0; i < warmup + samples; i++) {
    const record = i >= warmup;
    let last = process.hrtime.bigint();
    const lap: Lap = (phase) => {
      const now = process.hrtime.bigint();
      if (record) {
        const list = phases.get(phase) ?? [];
        list.push(nsToMs(now - last));
        phases.set(phase, list);
      }
      last = process.hrtime.bigint();
    };
    consume(await fn(lap));
  }
  return phases;
}
