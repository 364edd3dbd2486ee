import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.js';

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment), for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known name closest to `given`, when it is close enough to be a typo. */
export function closest(given: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(given, name);
    if (!best || d < best.d) best = { name, d };
  }
  if (!best) return undefined;
  // A prefix ("--sand") or up to a third of the letters wrong ("--sandbx", "--worflow").
  return best.name.startsWith(given) || best.d <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/**
 * `parseArgs` for one command, with its errors said the CLI's way: an unknown option is one line
 * with a suggestion ("did you mean --sandbox?") followed by the command's usage, instead of
 * Node's raw text; a missing or unexpected value is one line.
 */
export function parseOptions<T extends ParseArgsConfig>(command: string, help: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'([^']+)'/.exec(e.message)?.[1] ?? '';
      const names = Object.entries(config.options ?? {}).flatMap(([name, o]) => [
        `--${name}`,
        ...(o.short ? [`-${o.short}`] : []),
        ...(config.allowNegative && o.type === 'boolean' ? [`--no-${name}`] : []),
      ]);
      const suggestion = flag.startsWith('--') ? closest(flag, [...names, '--help']) : undefined;
      throw new UsageError(`unknown option ${flag} for ${command}${suggestion ? ` (did you mean ${suggestion}?)` : ''}\n\n${help}`);
    }
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const missing = /^Option '(-[^ ']+)(?: <value>)?' argument missing/.exec(e.message);
      if (missing) throw new UsageError(`${missing[1]} needs a value`);
      const noArgument = /^Option '(-[^ ']+)' does not take an argument/.exec(e.message);
      if (noArgument) throw new UsageError(`${noArgument[1]} takes no value`);
      throw new UsageError(e.message.split('\n')[0]);
    }
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']+)'/.exec(e.message)?.[1];
      throw new UsageError(`${command} takes no file or other argument${arg ? `, got "${arg}"` : ''}`);
    }
    throw err;
  }
}
