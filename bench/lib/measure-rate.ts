import type { SandboxProcess } from './sandbox-process.js';
import { consume } from './timing.js';

export interface Rate {
  readonly perSecond: number;
  /** CPU of this process per execution, ms (user + system). */
  readonly cpuMs: number;
  /** Sandbox process CPU over the wall time: near 100% means the sandbox, not the client, set the pace. */
  readonly sandboxShare?: number;
}

/**
 * Executions `concurrency` at a time, in this process, for `durationMs` (then the ones in flight
 * finish and count): long enough that ramp-up, the tail and the 10 ms resolution of the sandbox's
 * CPU clock are small next to the round.
 */
export async function measureRate(runOne: () => Promise<unknown>, concurrency: number, durationMs: number, sandbox?: SandboxProcess): Promise<Rate> {
  let done = 0;
  const cpu = process.cpuUsage();
  const sandboxCpu = sandbox?.cpuMs();
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(durationMs * 1e6));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (process.hrtime.bigint() < deadline) {
        consume(await runOne());
        done++;
      }
    }),
  );
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const used = process.cpuUsage(cpu);
  const sandboxAfter = sandbox?.cpuMs();
  return {
    perSecond: (done * 1000) / wallMs,
    cpuMs: (used.user + used.system) / 1000 / done,
    ...(sandboxCpu !== undefined && sandboxAfter !== undefined ? { sandboxShare: (sandboxAfter - sandboxCpu) / wallMs } : {}),
  };
}

export const medianBy = <T>(items: readonly T[], key: (t: T) => number): T => [...items].sort((a, b) => key(a) - key(b))[items.length >> 1];
