/** A problem with how the CLI was called or with the user's files: printed without a stack, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const ExitCodes = { ok: 0, executionFailed: 1, usage: 2 } as const;
