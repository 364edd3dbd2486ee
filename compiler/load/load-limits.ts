/**
 * Bounds on what loading a document may read: the Arazzo file, its source descriptions and every
 * file their `$ref`s reach. A document is untrusted input (a pull request, a vendor's
 * description): loading it must end, in bounded time and memory, whatever it points at.
 */
export interface LoadOptions {
  /**
   * Largest file loading reads (bytes). A larger one is refused before it is read.
   * @default 10 MiB (10485760)
   */
  readonly maxFileBytes?: number;
  /**
   * Largest total of the files one document reads (the Arazzo file, its sources and every
   * `$ref` target, each counted once).
   * @default 50 MiB (52428800)
   */
  readonly maxTotalBytes?: number;
  /**
   * Time loading may take (reading, parsing and resolving `$ref`s of every file). Checked
   * between files and while `$ref`s resolve; a file under `maxFileBytes` parses in seconds.
   * @default 60000
   */
  readonly loadTimeoutMs?: number;
}

export const DEFAULT_LOAD_LIMITS: Required<LoadOptions> = {
  maxFileBytes: 10 * 1024 * 1024,
  maxTotalBytes: 50 * 1024 * 1024,
  loadTimeoutMs: 60_000,
};

/** `12.3 MiB`, `512 KiB`, `80 bytes`: sizes as diagnostics print them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** Parses a size as the CLI flags take it: `10485760`, `512KiB`, `10MiB`, `1GiB` (also K/M/G, KB/MB/GB as binary units). */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2].toLowerCase()[0] ?? '';
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const bytes = Math.floor(Number(m[1]) * factor);
  return bytes > 0 ? bytes : undefined;
}
