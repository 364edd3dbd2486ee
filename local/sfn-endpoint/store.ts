import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { loadSqlite } from './sqlite.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export type StateMachineType = 'STANDARD' | 'EXPRESS';

/** One definition and role of a state machine, as it stood between two updates; executions and versions point at one. */
export interface Revision {
  readonly id: string;
  readonly definition: string;
  readonly roleArn: string;
}

/** One version an alias routes to, with its share of the starts (the weights of an alias sum to 100). */
export interface AliasRoute {
  readonly stateMachineVersionArn: string;
  readonly weight: number;
}

/** An alias (`<machine ARN>:<name>`): a name that routes starts to one version, or two by weight. */
export interface AliasRecord {
  readonly arn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly description?: string;
  readonly routing: readonly AliasRoute[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A published version (`<machine ARN>:<n>`): an immutable revision. */
export interface VersionRecord {
  readonly arn: string;
  readonly stateMachineArn: string;
  readonly version: number;
  readonly revisionId: string;
  readonly definition: string;
  readonly roleArn: string;
  readonly description?: string;
  readonly createdAt: number;
}

export interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  /** The definition exactly as registered (the text DescribeStateMachine returns). */
  readonly definition: string;
  readonly roleArn: string;
  readonly type: StateMachineType;
  /** The revision the definition and role are (UpdateStateMachine makes a new one). */
  readonly revisionId: string;
  readonly updatedAt?: number;
  readonly tags: Readonly<Record<string, string>>;
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
  /** The revision it runs (redrive runs it again, as AWS redrives on the original definition). */
  readonly revisionId?: string;
  /** The version it was started with (a qualified ARN). */
  readonly versionArn?: string;
  /** The alias it was started through, when it was (its version is `versionArn`). */
  readonly aliasArn?: string;
  readonly redriveCount?: number;
  readonly redriveDate?: number;
}

export type NewStateMachine = Omit<StateMachineRecord, 'revisionId' | 'tags' | 'updatedAt'> & { readonly tags?: Readonly<Record<string, string>> };

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

const SCHEMA_VERSION = 3;

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

/** Schema 2: revisions (UpdateStateMachine), published versions, tags, redrive. */
const SCHEMA_2 = `
CREATE TABLE revisions (
  id TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE state_machine_versions (
  state_machine_arn TEXT NOT NULL,
  version INTEGER NOT NULL,
  revision_id TEXT NOT NULL,
  description TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (state_machine_arn, version)
) WITHOUT ROWID;
ALTER TABLE state_machines ADD COLUMN revision_id TEXT;
ALTER TABLE state_machines ADD COLUMN updated_at INTEGER;
ALTER TABLE state_machines ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
ALTER TABLE state_machines ADD COLUMN next_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE executions ADD COLUMN revision_id TEXT;
ALTER TABLE executions ADD COLUMN version_arn TEXT;
ALTER TABLE executions ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN redrive_date INTEGER;
`;

/** Schema 3: aliases, and the alias an execution was started through. */
const SCHEMA_3 = `
CREATE TABLE state_machine_aliases (
  arn TEXT PRIMARY KEY,
  state_machine_arn TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  routing TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
ALTER TABLE executions ADD COLUMN alias_arn TEXT;
`;

type Row = Record<string, SQLInputValue>;

function toAlias(row: Row): AliasRecord {
  return {
    arn: String(row.arn),
    stateMachineArn: String(row.state_machine_arn),
    name: String(row.name),
    ...(row.description !== null && row.description !== undefined ? { description: String(row.description) } : {}),
    routing: JSON.parse(String(row.routing)) as AliasRoute[],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

function toMachine(row: Row): StateMachineRecord & { seq: number } {
  return {
    seq: Number(row.seq),
    arn: String(row.arn),
    name: String(row.name),
    definition: String(row.definition),
    roleArn: String(row.role_arn),
    type: row.type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    revisionId: String(row.revision_id),
    ...(row.updated_at !== null ? { updatedAt: Number(row.updated_at) } : {}),
    tags: JSON.parse(String(row.tags ?? '{}')) as Record<string, string>,
    origin: row.origin === 'arazzo' ? 'arazzo' : 'api',
    ...(row.source_file !== null ? { sourceFile: String(row.source_file) } : {}),
    createdAt: Number(row.created_at),
  };
}

function toVersion(row: Row): VersionRecord {
  return {
    arn: `${String(row.state_machine_arn)}:${Number(row.version)}`,
    stateMachineArn: String(row.state_machine_arn),
    version: Number(row.version),
    revisionId: String(row.revision_id),
    definition: String(row.definition),
    roleArn: String(row.role_arn),
    ...(row.description !== null ? { description: String(row.description) } : {}),
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
    revisionId: opt<string>(row.revision_id),
    versionArn: opt<string>(row.version_arn),
    aliasArn: opt<string>(row.alias_arn),
    redriveCount: Number(row.redrive_count ?? 0),
    redriveDate: opt<number>(row.redrive_date) === undefined ? undefined : Number(row.redrive_date),
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
    if (version > SCHEMA_VERSION) throw new EndpointFileError(`${this.file}: database schema ${version}, this endpoint reads schema ${SCHEMA_VERSION}`);
    this.transaction(() => {
      if (version < 1) this.db.exec(SCHEMA);
      if (version < 2) {
        // Schema 1 → 2: each machine's definition becomes its first revision.
        this.db.exec(SCHEMA_2);
        for (const row of this.db.prepare('SELECT arn, definition, role_arn FROM state_machines').all() as Row[]) {
          const id = randomUUID();
          this.db.prepare('INSERT INTO revisions (id, definition, role_arn) VALUES (?, ?, ?)').run(id, row.definition, row.role_arn);
          this.db.prepare('UPDATE state_machines SET revision_id = ? WHERE arn = ?').run(id, row.arn);
        }
      }
      if (version < 3) this.db.exec(SCHEMA_3);
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

  insertStateMachine(m: NewStateMachine): void {
    this.transaction(() => {
      const revision = this.insertRevision(m.definition, m.roleArn);
      this.db
        .prepare('INSERT INTO state_machines (arn, name, definition, role_arn, type, origin, source_file, created_at, revision_id, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(m.arn, m.name, m.definition, m.roleArn, m.type, m.origin, m.sourceFile ?? null, m.createdAt, revision, JSON.stringify(m.tags ?? {}));
    });
  }

  private insertRevision(definition: string, roleArn: string): string {
    const id = randomUUID();
    this.db.prepare('INSERT INTO revisions (id, definition, role_arn) VALUES (?, ?, ?)').run(id, definition, roleArn);
    return id;
  }

  getRevision(id: string): Revision | undefined {
    const row = this.db.prepare('SELECT * FROM revisions WHERE id = ?').get(id) as Row | undefined;
    return row ? { id, definition: String(row.definition), roleArn: String(row.role_arn) } : undefined;
  }

  /** A workflow document's machine, registered again at each start: its definition follows the document. */
  updateStateMachineDefinition(arn: string, definition: string, sourceFile: string | undefined): void {
    this.transaction(() => {
      const machine = this.getStateMachine(arn);
      if (!machine) return;
      const revision = this.insertRevision(definition, machine.roleArn);
      this.db.prepare('UPDATE state_machines SET definition = ?, source_file = ?, revision_id = ?, updated_at = ? WHERE arn = ?').run(definition, sourceFile ?? null, revision, Date.now(), arn);
    });
  }

  /**
   * UpdateStateMachine: a new revision when the definition or role changes (running executions
   * keep theirs); with `publish`, a new version of it. Returns the machine as it now is.
   */
  updateStateMachine(arn: string, change: { definition?: string; roleArn?: string; publish?: { description?: string } }, at: number): { machine: StateMachineRecord; version?: VersionRecord } {
    return this.transaction(() => {
      const machine = this.getStateMachine(arn);
      if (!machine) throw new Error(`no state machine ${arn}`);
      const definition = change.definition ?? machine.definition;
      const roleArn = change.roleArn ?? machine.roleArn;
      if (definition !== machine.definition || roleArn !== machine.roleArn) {
        const revision = this.insertRevision(definition, roleArn);
        this.db.prepare('UPDATE state_machines SET definition = ?, role_arn = ?, revision_id = ?, updated_at = ? WHERE arn = ?').run(definition, roleArn, revision, at, arn);
      } else {
        this.db.prepare('UPDATE state_machines SET updated_at = ? WHERE arn = ?').run(at, arn);
      }
      const updated = this.getStateMachine(arn)!;
      const version = change.publish ? this.publishVersionIn(updated, change.publish.description, at) : undefined;
      return { machine: updated, ...(version ? { version } : {}) };
    });
  }

  /** DeleteStateMachine: the machine and its versions go; its executions (and those still running) stay. */
  deleteStateMachine(arn: string): void {
    this.transaction(() => {
      this.db.prepare('DELETE FROM state_machine_aliases WHERE state_machine_arn = ?').run(arn);
      this.db.prepare('DELETE FROM state_machine_versions WHERE state_machine_arn = ?').run(arn);
      this.db.prepare('DELETE FROM state_machines WHERE arn = ?').run(arn);
    });
  }

  setTags(arn: string, tags: Readonly<Record<string, string>>): void {
    this.db.prepare('UPDATE state_machines SET tags = ? WHERE arn = ?').run(JSON.stringify(tags), arn);
  }

  // ── versions ──

  /** PublishStateMachineVersion: the current revision as the next version, unless the latest version already is it (then that one). */
  publishVersion(arn: string, description: string | undefined, at: number): VersionRecord {
    return this.transaction(() => this.publishVersionIn(this.getStateMachine(arn)!, description, at));
  }

  private publishVersionIn(machine: StateMachineRecord, description: string | undefined, at: number): VersionRecord {
    const latest = this.listVersions(machine.arn, Number.MAX_SAFE_INTEGER, 1)[0];
    if (latest && latest.revisionId === machine.revisionId) return latest;
    const next = Number((this.db.prepare('SELECT next_version FROM state_machines WHERE arn = ?').get(machine.arn) as Row).next_version);
    this.db.prepare('UPDATE state_machines SET next_version = ? WHERE arn = ?').run(next + 1, machine.arn);
    this.db
      .prepare('INSERT INTO state_machine_versions (state_machine_arn, version, revision_id, description, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(machine.arn, next, machine.revisionId, description ?? null, at);
    return this.getVersion(machine.arn, next)!;
  }

  getVersion(stateMachineArn: string, version: number): VersionRecord | undefined {
    const row = this.db
      .prepare('SELECT v.*, r.definition, r.role_arn FROM state_machine_versions v JOIN revisions r ON r.id = v.revision_id WHERE v.state_machine_arn = ? AND v.version = ?')
      .get(stateMachineArn, version) as Row | undefined;
    return row ? toVersion(row) : undefined;
  }

  /** Newest first, versions below `before`. */
  listVersions(stateMachineArn: string, before: number, limit: number): VersionRecord[] {
    return (
      this.db
        .prepare('SELECT v.*, r.definition, r.role_arn FROM state_machine_versions v JOIN revisions r ON r.id = v.revision_id WHERE v.state_machine_arn = ? AND v.version < ? ORDER BY v.version DESC LIMIT ?')
        .all(stateMachineArn, before, limit) as Row[]
    ).map(toVersion);
  }

  // ── aliases ──

  /** CreateStateMachineAlias, or UpdateStateMachineAlias of one that exists (`createdAt` kept). */
  putAlias(alias: Omit<AliasRecord, 'createdAt' | 'updatedAt'>, at: number): AliasRecord {
    const existing = this.getAlias(alias.arn);
    this.db
      .prepare('INSERT OR REPLACE INTO state_machine_aliases (arn, state_machine_arn, name, description, routing, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(alias.arn, alias.stateMachineArn, alias.name, alias.description ?? null, JSON.stringify(alias.routing), existing?.createdAt ?? at, at);
    return this.getAlias(alias.arn)!;
  }

  getAlias(arn: string): AliasRecord | undefined {
    const row = this.db.prepare('SELECT * FROM state_machine_aliases WHERE arn = ?').get(arn) as Row | undefined;
    return row && toAlias(row);
  }

  /** By name, after `after`, at most `limit`. */
  listAliases(stateMachineArn: string, after: string, limit: number): AliasRecord[] {
    return (this.db.prepare('SELECT * FROM state_machine_aliases WHERE state_machine_arn = ? AND name > ? ORDER BY name LIMIT ?').all(stateMachineArn, after, limit) as Row[]).map(toAlias);
  }

  deleteAlias(arn: string): void {
    this.db.prepare('DELETE FROM state_machine_aliases WHERE arn = ?').run(arn);
  }

  deleteVersion(stateMachineArn: string, version: number): void {
    this.db.prepare('DELETE FROM state_machine_versions WHERE state_machine_arn = ? AND version = ?').run(stateMachineArn, version);
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
        `INSERT ${orIgnore ? 'OR IGNORE ' : ''}INTO executions (arn, state_machine_arn, name, status, input, output, error, cause, start_date, stop_date, parent_arn, revision_id, version_arn, alias_arn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.arn,
        e.stateMachineArn,
        e.name,
        e.status,
        e.input,
        e.output ?? null,
        e.error ?? null,
        e.cause ?? null,
        e.startDate,
        e.stopDate ?? null,
        e.parentArn ?? null,
        e.revisionId ?? null,
        e.versionArn ?? null,
        e.aliasArn ?? null,
      );
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

  listExecutions(query: { stateMachineArn: string; versionArn?: string; aliasArn?: string; status?: ExecutionStatus; redriven?: boolean; after?: ExecutionCursor; limit: number }): (ExecutionRecord & { seq: number })[] {
    const where = ['state_machine_arn = ?'];
    const params: SQLInputValue[] = [query.stateMachineArn];
    if (query.versionArn) {
      where.push('version_arn = ?');
      params.push(query.versionArn);
    }
    if (query.aliasArn) {
      where.push('alias_arn = ?');
      params.push(query.aliasArn);
    }
    if (query.redriven !== undefined) where.push(query.redriven ? 'redrive_count > 0' : 'redrive_count = 0');
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

  /**
   * RedriveExecution: a closed execution RUNNING again, with ExecutionRedriven appended to its
   * history (the events of the redriven run follow when it ends). False when it is not closed.
   */
  redriveExecution(arn: string, at: number, redriven: HistoryEvent): boolean {
    return this.transaction(() => {
      const result = this.db
        .prepare(
          "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stop_date = NULL, redrive_count = redrive_count + 1, redrive_date = ? WHERE arn = ? AND status IN ('FAILED', 'TIMED_OUT', 'ABORTED')",
        )
        .run(at, arn);
      if (Number(result.changes) !== 1) return false;
      this.db.prepare('INSERT INTO history_events (execution_arn, id, event) VALUES (?, ?, ?)').run(arn, redriven.id!, encodeEvent(redriven));
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
