import { parseByteSize, type LoadOptions } from '../compiler/load/load-limits.js';
import type { RemoteSourceOptions } from '../compiler/load/remote-sources.js';
import { UsageError } from './cli-error.js';

/** How remote (http(s)) source descriptions are fetched and locked (validate, compile, run; docs/remote-sources.md). */
export const REMOTE_FLAGS = {
  offline: { type: 'boolean' },
  'update-lock': { type: 'boolean' },
  'allow-private-fetch': { type: 'boolean' },
} as const;

/** The flags that bound what loading a document may read (validate, compile). */
export const LOAD_FLAGS = {
  'max-file-size': { type: 'string' },
  'max-total-size': { type: 'string' },
  'load-timeout': { type: 'string' },
  ...REMOTE_FLAGS,
} as const;

export const remoteFlagsHelp = `Remote sources (an http(s) sourceDescriptions url; docs/remote-sources.md):
  --update-lock             fetch every remote source again and rewrite <name>.lock.json and .arazzo-sources/
  --offline                 never fetch: use only the locked copies (an unlocked source is an error)
  --allow-private-fetch     let a fetch reach link-local and metadata addresses (169.254.0.0/16, fe80::/10, fd00::/8)
By default a locked source is read from its vendored copy (hash-checked) and an unlocked one is fetched and locked.`;

/** The remote-source options that the flags set. */
export function remoteOptionsFrom(values: { offline?: boolean; 'update-lock'?: boolean; 'allow-private-fetch'?: boolean }): RemoteSourceOptions {
  if (values.offline && values['update-lock']) throw new UsageError('--offline and --update-lock contradict each other: --update-lock fetches');
  return {
    ...(values.offline ? { remoteSources: 'offline' as const } : values['update-lock'] ? { remoteSources: 'update' as const } : {}),
    ...(values['allow-private-fetch'] ? { allowPrivateFetch: true } : {}),
  };
}

export const loadFlagsHelp = `Limits on what a document may make the compiler read (every file must be a regular file):
  --max-file-size <size>    largest file read: the document, a source, a $ref target (default 10MiB)
  --max-total-size <size>   largest total of those files (default 50MiB)
  --load-timeout <seconds>  time reading and resolving them may take (default 60)
Sizes are bytes, or a number with KiB, MiB or GiB.
${remoteFlagsHelp}`;

/** The load options that the flags set; a malformed value is a usage error. */
export function loadOptionsFrom(
  values: { 'max-file-size'?: string; 'max-total-size'?: string; 'load-timeout'?: string } & Parameters<typeof remoteOptionsFrom>[0],
): LoadOptions & RemoteSourceOptions {
  const size = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const bytes = parseByteSize(text);
    if (bytes === undefined) throw new UsageError(`--${flag} expects a size such as 10MiB, 512KiB or 1048576, got "${text}"`);
    return bytes;
  };
  const timeout = values['load-timeout'];
  if (timeout !== undefined && !/^\d+(\.\d+)?$/.test(timeout)) throw new UsageError(`--load-timeout expects a number of seconds, got "${timeout}"`);
  const options: LoadOptions = {
    maxFileBytes: size('max-file-size', values['max-file-size']),
    maxTotalBytes: size('max-total-size', values['max-total-size']),
    loadTimeoutMs: timeout === undefined ? undefined : Math.max(1, Math.round(Number(timeout) * 1000)),
  };
  return { ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)), ...remoteOptionsFrom(values) };
}
