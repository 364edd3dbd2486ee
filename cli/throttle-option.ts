import { resolveThrottle, type CompileOptions } from '../compiler/plan/compile-options.js';
import { UsageError } from './cli-error.js';

export const throttleHelp = `  --throttle <off|maxWaitSeconds=N,maxWaits=M>
                         a provider's 429 with Retry-After to a call that may be repeated:
                         wait the delay in a Wait state, then call again (on by default: at
                         most 60 s, 5 times in a row; a longer delay fails the step with
                         Arazzo.Throttled); off: the Task's Retry, as for a 5xx`;

/** The compile option that `--throttle` asks for (none when absent: the default, on). */
export function throttleOptions(text: string | undefined): Pick<CompileOptions, 'throttle'> {
  if (text === undefined) return {};
  const value = text.trim();
  if (value === 'off' || value === 'false') return { throttle: false };
  if (value === 'on' || value === 'true') return { throttle: true };
  const bounds: Record<string, number> = {};
  for (const entry of value.split(',')) {
    const match = /^\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(entry);
    if (!match) throw new UsageError(`--throttle expects off, on, or maxWaitSeconds=N,maxWaits=M, got "${text}"`);
    bounds[match[1]] = Number(match[2]);
  }
  try {
    resolveThrottle(bounds);
  } catch (err) {
    throw new UsageError(`--${(err as Error).message}`);
  }
  return { throttle: bounds };
}
