import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_LOAD_LIMITS, formatBytes, type LoadOptions } from './load-limits.js';

/** A file's text, or why it was not read: a sentence that never quotes the file's contents. */
export type ReadOutcome = { readonly text: string; readonly problem?: undefined } | { readonly text?: undefined; readonly problem: string };

/**
 * Reads the files of one document under its load limits: only regular files (a device, FIFO,
 * socket or directory is refused by what it is, before it is opened for reading), each at most
 * `maxFileBytes`, all together at most `maxTotalBytes`, before the load deadline. One reader per
 * compilation: the total and the deadline span every file the document reaches.
 */
export interface DocumentReader {
  read(path: string): Promise<ReadOutcome>;
  /** A sentence when the load deadline has passed, else undefined. */
  overtime(): string | undefined;
  /** Milliseconds left before the load deadline (at least 1). */
  remainingMs(): number;
  readonly limits: Required<LoadOptions>;
  /** Vendored copies of remote files, by URL (no fragment): a `$ref` to the URL reads the copy (remote-sources.ts). */
  readonly remoteFiles: Map<string, string>;
  /** The URL each vendored copy was fetched from, by its absolute path: relative URLs in it resolve against that. */
  readonly remoteOrigins: Map<string, string>;
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

function reasonOf(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case 'ENXIO':
      return 'not a regular file (a socket or device)';
    default:
      return `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})`;
  }
}

export function createDocumentReader(options: LoadOptions = {}): DocumentReader {
  const limits: Required<LoadOptions> = {
    maxFileBytes: options.maxFileBytes ?? DEFAULT_LOAD_LIMITS.maxFileBytes,
    maxTotalBytes: options.maxTotalBytes ?? DEFAULT_LOAD_LIMITS.maxTotalBytes,
    loadTimeoutMs: options.loadTimeoutMs ?? DEFAULT_LOAD_LIMITS.loadTimeoutMs,
  };
  const deadline = performance.now() + limits.loadTimeoutMs;
  /** Bytes of each file read so far, by absolute path: a file reached twice counts once. */
  const sizes = new Map<string, number>();
  let total = 0;

  const overtime = () =>
    performance.now() > deadline ? `loading took longer than ${limits.loadTimeoutMs / 1000} s (the load time limit; --load-timeout)` : undefined;
  const overFile = (bytes: number) => `${formatBytes(bytes)}, over the ${formatBytes(limits.maxFileBytes)} limit per file (--max-file-size)`;
  const overTotal = (bytes: number) =>
    `the files of this document would total ${formatBytes(bytes)}, over the ${formatBytes(limits.maxTotalBytes)} limit (--max-total-size)`;

  async function read(path: string): Promise<ReadOutcome> {
    const absolute = resolve(path);
    const late = overtime();
    if (late) return { problem: late };
    let before: Stats;
    try {
      // stat, not open: opening a FIFO for reading blocks until a writer comes, and a device
      // reads forever. Neither is opened.
      before = await stat(absolute);
    } catch (err) {
      return { problem: reasonOf(err) };
    }
    if (!before.isFile()) return { problem: `not a regular file (${kindOf(before)})` };
    if (before.size > limits.maxFileBytes) return { problem: overFile(before.size) };
    const counted = sizes.get(absolute) ?? 0;
    if (total - counted + before.size > limits.maxTotalBytes) return { problem: overTotal(total - counted + before.size) };

    let bytes: Buffer;
    try {
      // O_NONBLOCK: should the path have been swapped for a FIFO since the stat, opening it
      // still returns at once (and the fstat below refuses it).
      const handle = await open(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const after = await handle.stat();
        if (!after.isFile()) return { problem: `not a regular file (${kindOf(after)})` };
        // Read at most one byte past the limit, whatever the size claims: files of /proc say 0
        // and are not, and a file may grow while it is read.
        const buffer = Buffer.alloc(Math.min(Math.max(after.size, 64 * 1024), limits.maxFileBytes) + 1);
        let length = 0;
        let chunk = buffer;
        for (;;) {
          if (length === chunk.length) {
            if (chunk.length > limits.maxFileBytes) break;
            const bigger = Buffer.alloc(Math.min(chunk.length * 2, limits.maxFileBytes + 1));
            chunk.copy(bigger, 0, 0, length);
            chunk = bigger;
          }
          const { bytesRead } = await handle.read(chunk, length, chunk.length - length, null);
          if (bytesRead === 0) break;
          length += bytesRead;
        }
        if (length > limits.maxFileBytes) return { problem: `over the ${formatBytes(limits.maxFileBytes)} limit per file (--max-file-size)` };
        bytes = chunk.subarray(0, length);
      } finally {
        await handle.close();
      }
    } catch (err) {
      return { problem: reasonOf(err) };
    }
    if (total - counted + bytes.length > limits.maxTotalBytes) return { problem: overTotal(total - counted + bytes.length) };
    total += bytes.length - counted;
    sizes.set(absolute, bytes.length);
    return { text: bytes.toString('utf8') };
  }

  return { read, overtime, remainingMs: () => Math.max(1, deadline - performance.now()), limits, remoteFiles: new Map(), remoteOrigins: new Map() };
}
