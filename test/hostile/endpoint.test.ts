import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, expectCleanRefusal, runBounded, runCliBounded, type BuiltCli } from './support/run-bounded.js';

// The local endpoint (`serve`) under attack (issue 14, "The local endpoint"). Each attack runs in
// a child process of its own (support/endpoint-attack.ts: a real endpoint, attacked over loopback
// with the real SDK client or raw HTTP) under the kill limits of the row; the row says what the
// attacker sent and what must come back.

const ATTACK = join(import.meta.dirname, 'support', 'endpoint-attack.ts');
const SECRET = 'hostile-s3cr3t-9f2c4e';

interface Row {
  readonly attack: string;
  /** What the attacker sends. */
  readonly input: string;
  /** What must come back. */
  readonly expected: string;
  readonly timeoutMs: number;
  readonly maxOldSpaceMb: number;
  readonly maxRssMb: number;
  readonly check: (observed: any) => void;
}

const TABLE: readonly Row[] = [
  {
    attack: 'runaway-loop',
    input: 'StartExecution of a Pass/Choice loop that never ends',
    expected: 'FAILED States.Runtime at event 25,000 (ExecutionFailed); DescribeExecution answers meanwhile',
    timeoutMs: 90_000,
    maxOldSpaceMb: 512,
    maxRssMb: 1_536,
    check: (o) => {
      expect(o).toMatchObject({ status: 'FAILED', error: 'States.Runtime', events: 25_000, last: 'ExecutionFailed' });
      // A generous bound: the API must answer while the loop runs, not after it.
      expect(o.slowestDescribeMs).toBeLessThan(5_000);
    },
  },
  {
    attack: 'runaway-loop-stopped',
    input: 'the same loop with no history quota, then StopExecution',
    expected: 'ABORTED with the stop\'s error; the API answers during the loop; the next execution runs',
    timeoutMs: 90_000,
    maxOldSpaceMb: 512,
    maxRssMb: 1_536,
    check: (o) => {
      expect(o).toMatchObject({ status: 'ABORTED', error: 'Hostile.Stop', nextStatus: 'SUCCEEDED' });
      expect(o.slowestListMs).toBeLessThan(5_000);
      expect(o.stopMs).toBeLessThan(10_000);
    },
  },
  {
    attack: 'runaway-beside-others',
    input: 'the loop on the one worker an execution waiting in a Wait runs on; another execution started meanwhile; then StopExecution of the loop',
    expected: 'the execution started meanwhile runs on another worker and SUCCEEDS while the loop spins; the loop ABORTED; the waiting one redriven on another worker (ExecutionFailed EngineWorkerLost, ExecutionRedriven) and SUCCEEDED',
    timeoutMs: 90_000,
    maxOldSpaceMb: 512,
    maxRssMb: 1_536,
    check: (o) => {
      expect(o).toMatchObject({ runaway: 'ABORTED', lateStatus: 'SUCCEEDED', runawayWhileLate: 'RUNNING', patient: 'SUCCEEDED', patientRedrives: 1, last: 'ExecutionSucceeded' });
      expect(o.afterLoss).toEqual(['ExecutionFailed', 'ExecutionRedriven', 'WaitStateEntered']);
    },
  },
  {
    attack: 'format-doubling',
    input: '30 Pass states, each doubling a 1 KiB string with States.Format',
    expected: 'FAILED States.DataLimitExceeded at the state past 256 KiB; a small database',
    timeoutMs: 60_000,
    maxOldSpaceMb: 512,
    maxRssMb: 1_536,
    check: (o) => {
      expect(o).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
      expect(o.cause).toMatch(/'Double7' returned a result with a size exceeding the maximum number of bytes service limit/);
      expect(o.dbBytes).toBeLessThan(16 * 1024 * 1024);
    },
  },
  {
    attack: 'one-state-allocation',
    input: 'one States.Format of 2,000 copies of a 200 KiB input (400 MB in one state)',
    expected: 'FAILED States.DataLimitExceeded; the endpoint answers on',
    timeoutMs: 90_000,
    maxOldSpaceMb: 512,
    maxRssMb: 2_048,
    check: (o) => expect(o).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', machines: 1, nextStatus: 'SUCCEEDED' }),
  },
  {
    attack: 'big-payload-loop',
    input: 'a loop carrying 16 KiB until the history quota (history data budget 1 MiB)',
    expected: 'FAILED States.Runtime; later events marked truncated; database bounded',
    timeoutMs: 120_000,
    maxOldSpaceMb: 512,
    maxRssMb: 1_536,
    check: (o) => {
      expect(o).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
      expect(o.truncatedInLastPage).toBeGreaterThan(900);
      // 25,000 events without data, plus the 1 MiB budget: nowhere near 25,000 × 16 KiB (400 MB).
      expect(o.dbBytes).toBeLessThan(64 * 1024 * 1024);
    },
  },
  {
    attack: 'worker-memory',
    input: 'a Map of 3,000 iterations each building 200 KB, worker memory limit 96 MiB',
    expected: 'FAILED ArazzoSfn.EngineWorkerLost (the worker died at its limit, not the endpoint); the next execution runs',
    timeoutMs: 90_000,
    maxOldSpaceMb: 512,
    maxRssMb: 1_536,
    check: (o) => {
      expect(o).toMatchObject({ status: 'FAILED', error: 'ArazzoSfn.EngineWorkerLost', machines: 1, nextStatus: 'SUCCEEDED' });
      expect(o.cause).toMatch(/memory limit \(96 MiB\)/);
    },
  },
  {
    attack: 'max-duration',
    input: 'a Wait of a day, with a maximum duration of 1 s',
    expected: 'TIMED_OUT, ExecutionTimedOut',
    timeoutMs: 60_000,
    maxOldSpaceMb: 512,
    maxRssMb: 1_536,
    check: (o) => expect(o).toMatchObject({ status: 'TIMED_OUT', last: 'ExecutionTimedOut' }),
  },
  {
    attack: 'oversized-input',
    input: `StartExecution with 300 KiB of input, and with input that is not JSON, both holding "${SECRET}"`,
    expected: 'ValidationException / InvalidExecutionInput, echoing none of the input',
    timeoutMs: 60_000,
    maxOldSpaceMb: 512,
    maxRssMb: 1_536,
    check: (o) => {
      expect(o.big).toEqual({ name: 'ValidationException', message: "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144" });
      expect(o.notJson.name).toBe('InvalidExecutionInput');
      expect(JSON.stringify(o)).not.toContain('zzzz');
      expect(JSON.stringify(o)).not.toContain(SECRET);
    },
  },
  {
    attack: 'host-header',
    input: 'requests whose Host is an attacker\'s name (DNS rebinding), and loopback names',
    expected: '403 AccessDeniedException for other names; loopback names, [::1] and sync-127.0.0.1 served',
    timeoutMs: 60_000,
    maxOldSpaceMb: 512,
    maxRssMb: 1_536,
    check: (o) => {
      expect(o).toMatchObject({ attacker: 403, bare: 403, lookalike: 403, localhost: 200, loopback: 200, otherLoopback: 200, ipv6: 200, syncPrefix: 200 });
      expect(JSON.parse(o.attackerBody).__type).toBe('com.amazon.coral.service#AccessDeniedException');
      expect(o.attackerBody).not.toContain('attacker.example');
    },
  },
  {
    attack: 'token',
    input: 'with --token: an unsigned call, a call signed with another access key id, one with the token',
    expected: '403, UnrecognizedClientException, served',
    timeoutMs: 60_000,
    maxOldSpaceMb: 512,
    maxRssMb: 1_536,
    check: (o) => expect(o).toEqual({ unsigned: 403, wrong: 'UnrecognizedClientException', right: 'ok' }),
  },
];

describe('the local endpoint under attack: every row ends as the table says, within its bounds', () => {
  it.each(TABLE)('$attack: $input → $expected', async (row) => {
    const run = await runBounded({ args: ['--import', 'tsx', ATTACK, row.attack], timeoutMs: row.timeoutMs, maxOldSpaceMb: row.maxOldSpaceMb, maxRssMb: row.maxRssMb });
    const output = `${run.stdout}\n${run.stderr}`.slice(0, 3000);
    expect(run.killed, `killed (${run.killed}) after ${Math.round(run.elapsedMs)} ms, peak ${run.peakRssMb?.toFixed(0)} MiB\n${output}`).toBe(false);
    expect(run.code, output).toBe(0);
    const observed = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    row.check(observed);
  });
});

describe('serve --db on something that is not its database: one line, exit 2', () => {
  let cli: BuiltCli;
  let dir: string;
  beforeAll(async () => {
    cli = await buildCli();
    dir = mkdtempSync(join(tmpdir(), 'arazzo-sfn-hostile-db-'));
    mkdirSync(join(dir, 'folder.db'));
    writeFileSync(join(dir, 'text.db'), `not a database, but it holds ${SECRET}\n`.repeat(200));
    writeFileSync(join(dir, 'corrupt.db'), Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0x41)]));
    execFileSync('mkfifo', [join(dir, 'fifo.db')]);
  }, 120_000);
  afterAll(async () => {
    await cli?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const DB_TABLE = [
    { db: 'folder.db', error: /folder\.db: is a folder, not a database file/ },
    { db: 'text.db', error: /text\.db: not a SQLite database/ },
    { db: 'corrupt.db', error: /corrupt\.db: (the database is corrupt|not a SQLite database)/ },
    { db: 'fifo.db', error: /fifo\.db: not a regular file/ },
    { db: 'text.db/inside.db', error: /text\.db is not a folder/ },
    // Node's recursive mkdir never returns under /proc: the endpoint creates folders one by one.
    { db: '/proc/arazzo-sfn-nowhere/endpoint.db', error: /cannot create the folder \/proc\/arazzo-sfn-nowhere/ },
  ];
  it.each(DB_TABLE)('--db $db', async ({ db, error }) => {
    const file = db.startsWith('/') ? db : join(dir, db);
    const run = await runCliBounded(cli, ['serve', '--port', '0', '--db', file, '--dir', join(dir, 'no-workflows')], { timeoutMs: 30_000, maxOldSpaceMb: 256 });
    expectCleanRefusal(run, { error, secrets: [SECRET] });
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
