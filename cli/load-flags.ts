import { parseByteSize, type LoadOptions } from '../compiler/load/load-limits.js';
import { UsageError } from './cli-error.js';

/** The flags that bound what loading a document may read (validate, compile). */
export const LOAD_FLAGS = {
  'max-file-size': { type: 'string' },
  'max-total-size': { type: 'string' },
  'load-timeout': { type: 'string' },
} as const;

export const loadFlagsHelp = `Limits on what a document may make the compiler read (every file must be a regular file):
  --max-file-size <size>    largest file read: the document, a source, a $ref target (default 10MiB)
  --max-total-size <size>   largest total of those files (default 50MiB)
  --load-timeout <seconds>  time reading and resolving them may take (default 60)
Sizes are bytes, or a number with KiB, MiB or GiB.`;

/** The load options that the flags set; a malformed value is a usage error. */
export function loadOptionsFrom(values: { 'max-file-size'?: string; 'max-total-size'?: string; 'load-timeout'?: string }): LoadOptions {
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
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
