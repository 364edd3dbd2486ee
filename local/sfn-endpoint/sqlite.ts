type SqliteModule = typeof import('node:sqlite');

let loaded: SqliteModule | undefined;

/**
 * Node 22's built-in SQLite, loaded without its one-time ExperimentalWarning: the endpoint uses
 * it by design (no native dependency), and `arazzo-sfn serve` would otherwise open every session
 * with a warning the user can do nothing about. Every other warning passes through.
 */
export function loadSqlite(): SqliteModule {
  if (loaded) return loaded;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'ExperimentalWarning' && /\bSQLite\b/.test(String(warning))) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    loaded = process.getBuiltinModule('node:sqlite') as SqliteModule;
  } finally {
    process.emitWarning = emitWarning;
  }
  return loaded;
}
