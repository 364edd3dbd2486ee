import { readFile } from 'node:fs/promises';

/** A problem with how the CLI was called or with the user's files: printed without a stack, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const ExitCodes = { ok: 0, executionFailed: 1, usage: 2 } as const;

/**
 * Reads a JSON file the user named with `flag` (`--inputs`, `--history`). A JSON syntax error's
 * message quotes the file, which may hold credentials or execution data: the error names the
 * file and the reason only.
 */
export async function readUserJsonFile(flag: string, path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const reason = err instanceof SyntaxError ? 'not valid JSON' : ((err as NodeJS.ErrnoException).code ?? 'unreadable');
    throw new UsageError(`cannot read ${flag} ${path}: ${reason}`);
  }
}
