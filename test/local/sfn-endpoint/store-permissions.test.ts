import { existsSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EndpointStore } from '../../../local/sfn-endpoint/store.js';

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('the endpoint database is private to the user (0600), as the seal key is', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'arazzo-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const writeSome = (store: EndpointStore) =>
    store.insertStateMachine({
      arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
      name: 'm',
      definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
      roleArn: 'arn:aws:iam::000000000000:role/r',
      type: 'STANDARD',
      origin: 'api',
      createdAt: Date.now(),
    });

  it('a new database, its folder, and the WAL SQLite writes beside it', () => {
    const file = join(dir, 'state', 'endpoint.db');
    const store = new EndpointStore(file);
    writeSome(store);
    const files = [file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f));
    expect(files).toContain(`${file}-wal`);
    for (const f of files) expect([f, modeOf(f).toString(8)]).toEqual([f, '600']);
    expect(modeOf(join(dir, 'state')).toString(8)).toBe('700');
    store.close();
  });

  it('an existing database created 0644 (by an earlier version) is made 0600', () => {
    const file = join(dir, 'old.db');
    writeFileSync(file, '', { mode: 0o644 });
    const store = new EndpointStore(file);
    writeSome(store);
    for (const f of [file, `${file}-wal`].filter((f) => existsSync(f))) expect(modeOf(f).toString(8)).toBe('600');
    store.close();
  });
});
