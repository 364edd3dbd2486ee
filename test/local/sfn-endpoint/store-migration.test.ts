import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSqlite } from '../../../local/sfn-endpoint/sqlite.js';
import { EndpointStore } from '../../../local/sfn-endpoint/store.js';
import { tempDir } from './support/endpoint-harness.js';

/** Schema 1 as endpoints before versions and redrive wrote it. */
const SCHEMA_1 = `
CREATE TABLE state_machines (seq INTEGER PRIMARY KEY AUTOINCREMENT, arn TEXT NOT NULL UNIQUE, name TEXT NOT NULL, definition TEXT NOT NULL, role_arn TEXT NOT NULL, type TEXT NOT NULL, origin TEXT NOT NULL, source_file TEXT, created_at INTEGER NOT NULL);
CREATE TABLE executions (seq INTEGER PRIMARY KEY AUTOINCREMENT, arn TEXT NOT NULL UNIQUE, state_machine_arn TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, input TEXT NOT NULL, output TEXT, error TEXT, cause TEXT, start_date INTEGER NOT NULL, stop_date INTEGER, parent_arn TEXT);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_date DESC, seq DESC);
CREATE INDEX executions_by_status ON executions (status);
CREATE TABLE history_events (execution_arn TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (execution_arn, id)) WITHOUT ROWID;
PRAGMA user_version = 1;
`;
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:kept';
const DEFINITION = '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}';

describe('the endpoint database written by an earlier endpoint (schema 1)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    tmp = await tempDir();
    const { DatabaseSync } = loadSqlite();
    const db = new DatabaseSync(tmp.db);
    db.exec(SCHEMA_1);
    db.prepare('INSERT INTO state_machines (arn, name, definition, role_arn, type, origin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(MACHINE, 'kept', DEFINITION, 'arn:aws:iam::000000000000:role/r', 'STANDARD', 'api', 1);
    db.prepare("INSERT INTO executions (arn, state_machine_arn, name, status, input, start_date, stop_date, error) VALUES (?, ?, 'old', 'FAILED', '{}', 1, 2, 'E')").run(`${MACHINE.replace(':stateMachine:', ':execution:')}:old`, MACHINE);
    db.close();
  });
  afterEach(async () => {
    await tmp.remove();
  });

  it('is upgraded in place: its machines keep their definitions as their first revision, its executions are kept and not yet redriven', () => {
    const store = new EndpointStore(tmp.db);
    try {
      const machine = store.getStateMachine(MACHINE)!;
      expect(machine).toMatchObject({ definition: DEFINITION, tags: {}, type: 'STANDARD' });
      expect(store.getRevision(machine.revisionId)).toMatchObject({ definition: DEFINITION, roleArn: 'arn:aws:iam::000000000000:role/r' });
      expect(store.listExecutions({ stateMachineArn: MACHINE, redriven: false, limit: 10 }).map((e) => [e.name, e.status, e.redriveCount])).toEqual([['old', 'FAILED', 0]]);
      expect(store.publishVersion(MACHINE, undefined, 3)).toMatchObject({ arn: `${MACHINE}:1`, definition: DEFINITION });
      // Schema 3: aliases, and executions that name the one they started through.
      expect(store.putAlias({ arn: `${MACHINE}:live`, stateMachineArn: MACHINE, name: 'live', routing: [{ stateMachineVersionArn: `${MACHINE}:1`, weight: 100 }] }, 4)).toMatchObject({ createdAt: 4 });
      expect(store.getExecution(store.listExecutions({ stateMachineArn: MACHINE, limit: 10 })[0].arn)!.aliasArn).toBeUndefined();
    } finally {
      store.close();
    }
    // Opened again: already the current schema, nothing to do.
    const again = new EndpointStore(tmp.db);
    expect(again.listVersions(MACHINE, Number.MAX_SAFE_INTEGER, 10).map((v) => v.version)).toEqual([1]);
    expect(again.listAliases(MACHINE, '', 10).map((a) => a.name)).toEqual(['live']);
    again.close();
  });
});
