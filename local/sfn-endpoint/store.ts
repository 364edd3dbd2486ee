import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { loadSqlite } from './sqlite.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  /** The definition exactly as registered (the text DescribeStateMachine returns). */
  readonly definition: string;
  readonly roleArn: string;
  readonly type: 'STANDARD';
  /** `arazzo`: compiled from a workflow document at start-up; `api`: CreateStateMachine. */
  readonly origin: 'arazzo' | 'api';
  readonly sourceFile?: string;
  readonly createdAt: number;
}

export interface ExecutionRecord {
  readonly arn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  /** The input as JSON text, as the service keeps it. */
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: number;
  readonly stopDate?: number;
  /** The execution that started this one as a nested execution. */
  readonly parentArn?: string;
}

export interface ExecutionFinish {
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly stopDate: number;
}

/** A keyset position in ListExecutions' order (newest first). */
export interface ExecutionCursor {
  readonly startDate: number;
  readonly seq: number;
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE state_machines (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  arn TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  type TEXT NOT NULL,
  origin TEXT NOT NULL,
  source_file TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE executions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  arn TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  cause TEXT,
  start_date INTEGER NOT NULL,
  stop_date INTEGER,
  parent_arn TEXT
);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_date DESC, seq DESC);
CREATE INDEX executions_by_status ON executions (status);
CREATE TABLE history_events (
  execution_arn TEXT NOT NULL,
  id INTEGER NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (execution_arn, id)
) WITHOUT ROWID;
`;

type Row = Record<string, SQLInputValue>;

const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

function toMachine(row: Row): StateMachineRecord & { seq: number } {
  return {
    seq: Number(row.seq),
    arn: String(row.arn),
    name: String(row.name),
    definition: String(row.definition),
    roleArn: String(row.role_arn),
    type: 'STANDARD',
    origin: row.origin === 'arazzo' ? 'arazzo' : 'api',
    ...(row.source_file !== null ? { sourceFile: String(row.source_file) } : {}),
    createdAt: Number(row.created_at),
  };
}

function toExecution(row: Row): ExecutionRecord & { seq: number } {
  const record: ExecutionRecord & { seq: number } = {
    seq: Number(row.seq),
    arn: String(row.arn),
    stateMachineArn: String(row.state_machine_arn),
    name: String(row.name),
    status: String(row.status) as ExecutionStatus,
    input: String(row.input),
    output: opt<string>(row.output),
    error: opt<string>(row.error),
    cause: opt<string>(row.cause),
    startDate: Number(row.start_date),
    stopDate: opt<number>(row.stop_date) === undefined ? undefined : Number(row.stop_date),
    parentArn: opt<string>(row.parent_arn),
  };
  for (const key of Object.keys(record) as (keyof typeof record)[]) if (record[key] === undefined) delete record[key];
  return record;
}

/** History events are kept as JSON with the timestamp in epoch milliseconds. */
const encodeEvent = (e: HistoryEvent) => JSON.stringify({ ...e, timestamp: e.timestamp ? e.timestamp.getTime() : 0 });
const decodeEvent = (text: string): HistoryEvent => {
  const raw = JSON.parse(text) as HistoryEvent & { timestamp: number };
  return { ...raw, timestamp: new Date(raw.timestamp) };
};

/** A database (or sealing key) file the endpoint cannot use: one line for the user, no stack. */
export class EndpointFileError extends Error {
  override readonly name = 'EndpointFileError';
}

/** SQLite's result codes for a file that is not the endpoint's database. */
const SQLITE_PROBLEMS: Record<number, string> = {
  11: 'the database is corrupt (SQLite: database disk image is malformed)',
  14: 'cannot open it as a database file',
  23: 'permission denied',
  26: 'not a SQLite database',
};

/**
 * Creates the database's folder one level at a time (`mkdirSync` with `recursive` never returns
 * under /proc), refusing a path that crosses a file.
 */
function ensureFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const stat = statSync(d, { throwIfNoEntry: false });
    if (stat) {
      if (!stat.isDirectory()) throw new EndpointFileError(`${d} is not a folder`);
      break;
    }
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new EndpointFileError(`cannot create the folder ${d} (${(err as NodeJS.ErrnoException).code})`);
    }
  }
}

/** Only a regular file (or none yet) is opened: a folder, a FIFO or a device is refused before SQLite sees it. */
function checkDatabasePath(file: string): void {
  ensureFolder(dirname(file));
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat && !stat.isFile()) throw new EndpointFileError(`${file}: ${stat.isDirectory() ? 'is a folder' : 'not a regular file'}, not a database file`);
}

/**
 * Executions keep their inputs and outputs here, so the file is private to the user, as the seal
 * key is: SQLite would create it 0644, and gives its WAL and shared-memory files the database
 * file's mode. A file that cannot be opened is left for SQLite to report.
 */
function makePrivate(file: string): void {
  try {
    closeSync(openSync(file, 'a', 0o600));
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  } catch {
    // A directory, a missing parent or no permission: opening the database says what is wrong.
  }
}

/**
 * The endpoint's database: state machines, executions and their history events, in one SQLite
 * file. The connection holds an exclusive lock, so a second endpoint on the same file fails at
 * start instead of taking the first one's running executions for abandoned ones.
 */
export class EndpointStore {
  private readonly db: DatabaseSync;

  constructor(readonly file: string) {
    if (file !== ':memory:') {
      // Refuses a folder, FIFO or device first: opening a FIFO to make it private would block.
      checkDatabasePath(file);
      makePrivate(file);
    }
    const { DatabaseSync } = loadSqlite();
    const problem = (err: unknown) => {
      const code = (err as { errcode?: number }).errcode;
      return code !== undefined && SQLITE_PROBLEMS[code] ? new EndpointFileError(`${file}: ${SQLITE_PROBLEMS[code]}`, { cause: err }) : err;
    };
    try {
      this.db = new DatabaseSync(file);
    } catch (err) {
      throw problem(err);
    }
    try {
      this.db.exec('PRAGMA busy_timeout = 200; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      this.migrate();
    } catch (err) {
      this.db.close();
      if (/locked|busy/i.test((err as Error).message)) throw new EndpointFileError(`${file} is in use by another endpoint (one endpoint per database file)`, { cause: err });
      throw problem(err);
    }
  }

  private migrate(): void {
    const version = Number((this.db.prepare('PRAGMA user_version').get() as Row).user_version);
    if (version === SCHEMA_VERSION) return;
    if (version !== 0) throw new EndpointFileError(`${this.file}: database schema ${version}, this endpoint reads schema ${SCHEMA_VERSION}`);
    this.transaction(() => {
      this.db.exec(SCHEMA);
      this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    });
  }

  private transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  close(): void {
    this.db.close();
  }

  // ── state machines ──

  insertStateMachine(m: StateMachineRecord): void {
    this.db
      .prepare('INSERT INTO state_machines (arn, name, definition, role_arn, type, origin, source_file, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(m.arn, m.name, m.definition, m.roleArn, m.type, m.origin, m.sourceFile ?? null, m.createdAt);
  }

  /** A workflow document's machine, registered again at each start: its definition follows the document. */
  updateStateMachineDefinition(arn: string, definition: string, sourceFile: string | undefined): void {
    this.db.prepare('UPDATE state_machines SET definition = ?, source_file = ? WHERE arn = ?').run(definition, sourceFile ?? null, arn);
  }

  getStateMachine(arn: string): (StateMachineRecord & { seq: number }) | undefined {
    const row = this.db.prepare('SELECT * FROM state_machines WHERE arn = ?').get(arn) as Row | undefined;
    return row ? toMachine(row) : undefined;
  }

  listStateMachines(afterSeq: number, limit: number): (StateMachineRecord & { seq: number })[] {
    return (this.db.prepare('SELECT * FROM state_machines WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Row[]).map(toMachine);
  }

  // ── executions ──

  /** A new RUNNING execution with its first event (ExecutionStarted). */
  insertExecution(e: ExecutionRecord, started: HistoryEvent): void {
    this.transaction(() => {
      this.insertExecutionRow(e);
      this.db.prepare('INSERT INTO history_events (execution_arn, id, event) VALUES (?, ?, ?)').run(e.arn, started.id!, encodeEvent(started));
    });
  }

  private insertExecutionRow(e: ExecutionRecord, orIgnore = false): boolean {
    const result = this.db
      .prepare(
        `INSERT ${orIgnore ? 'OR IGNORE ' : ''}INTO executions (arn, state_machine_arn, name, status, input, output, error, cause, start_date, stop_date, parent_arn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.arn, e.stateMachineArn, e.name, e.status, e.input, e.output ?? null, e.error ?? null, e.cause ?? null, e.startDate, e.stopDate ?? null, e.parentArn ?? null);
    return Number(result.changes) === 1;
  }

  /** An execution that ran to its end elsewhere (a nested one), with its whole history; false when the ARN is taken. */
  insertFinishedExecution(e: ExecutionRecord, history: readonly HistoryEvent[]): boolean {
    return this.transaction(() => {
      if (!this.insertExecutionRow(e, true)) return false;
      this.writeHistory(e.arn, history);
      return true;
    });
  }

  getExecution(arn: string): (ExecutionRecord & { seq: number }) | undefined {
    const row = this.db.prepare('SELECT * FROM executions WHERE arn = ?').get(arn) as Row | undefined;
    return row ? toExecution(row) : undefined;
  }

  listExecutions(query: { stateMachineArn: string; status?: ExecutionStatus; after?: ExecutionCursor; limit: number }): (ExecutionRecord & { seq: number })[] {
    const where = ['state_machine_arn = ?'];
    const params: SQLInputValue[] = [query.stateMachineArn];
    if (query.status) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.after) {
      where.push('(start_date < ? OR (start_date = ? AND seq < ?))');
      params.push(query.after.startDate, query.after.startDate, query.after.seq);
    }
    const sql = `SELECT * FROM executions WHERE ${where.join(' AND ')} ORDER BY start_date DESC, seq DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, query.limit) as Row[]).map(toExecution);
  }

  /**
   * Closes a RUNNING execution with its final history. Returns false, writing nothing, when it is
   * no longer RUNNING (a stop or a shutdown closed it first).
   */
  finishExecution(arn: string, finish: ExecutionFinish, history: readonly HistoryEvent[]): boolean {
    return this.transaction(() => {
      const result = this.db
        .prepare("UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stop_date = ? WHERE arn = ? AND status = 'RUNNING'")
        .run(finish.status, finish.output ?? null, finish.error ?? null, finish.cause ?? null, finish.stopDate, arn);
      if (Number(result.changes) !== 1) return false;
      this.writeHistory(arn, history);
      return true;
    });
  }

  private writeHistory(arn: string, history: readonly HistoryEvent[]): void {
    this.db.prepare('DELETE FROM history_events WHERE execution_arn = ?').run(arn);
    const insert = this.db.prepare('INSERT INTO history_events (execution_arn, id, event) VALUES (?, ?, ?)');
    for (const event of history) insert.run(arn, event.id!, encodeEvent(event));
  }

  /** Up to `limit` events after (or, reversed, before) event id `from`, in the order asked. */
  historyPage(arn: string, query: { from?: number; reverse: boolean; limit: number }): HistoryEvent[] {
    const sql = query.reverse
      ? 'SELECT event FROM history_events WHERE execution_arn = ? AND id < ? ORDER BY id DESC LIMIT ?'
      : 'SELECT event FROM history_events WHERE execution_arn = ? AND id > ? ORDER BY id LIMIT ?';
    const from = query.from ?? (query.reverse ? Number.MAX_SAFE_INTEGER : 0);
    return (this.db.prepare(sql).all(arn, from, query.limit) as Row[]).map((r) => decodeEvent(String(r.event)));
  }

  /**
   * Closes every execution still RUNNING as ABORTED, appending ExecutionAborted to its history.
   * Returns the ARNs closed.
   */
  abortRunning(error: string, cause: string, at: number): string[] {
    return this.transaction(() => {
      const arns = (this.db.prepare("SELECT arn FROM executions WHERE status = 'RUNNING'").all() as Row[]).map((r) => String(r.arn));
      for (const arn of arns) {
        this.db.prepare("UPDATE executions SET status = 'ABORTED', error = ?, cause = ?, stop_date = ? WHERE arn = ?").run(error, cause, at, arn);
        const last = Number((this.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM history_events WHERE execution_arn = ?').get(arn) as Row).id);
        const aborted: HistoryEvent = { timestamp: new Date(at), type: 'ExecutionAborted', id: last + 1, previousEventId: 0, executionAbortedEventDetails: { error, cause } };
        this.db.prepare('INSERT INTO history_events (execution_arn, id, event) VALUES (?, ?, ?)').run(arn, last + 1, encodeEvent(aborted));
      }
      return arns;
    });
  }
}
