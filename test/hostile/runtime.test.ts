import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARAZZO_HEAD, PETS_OPENAPI, startLoopbackServer, type LoopbackServer } from '../constructs/support/index.js';
import { buildCli, expectCleanRefusal, runCliBounded, type BoundedRun, type BuiltCli } from './support/run-bounded.js';

/**
 * Runtime attacks of issue 14: each case runs the bundled CLI's `run` in a child process under
 * kill limits, against a loopback provider (a scripted HTTP server, standing in for a hostile
 * one), and must end by itself with its named error.
 */

/** A step that reads a provider value and checks it with a regex criterion. */
const regexWorkflow = (pattern: string) => `${ARAZZO_HEAD}
workflows:
  - workflowId: regex
    steps:
      - stepId: probe
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
        successCriteria:
          - condition: $statusCode == 200
          - context: $response.body#/name
            condition: ${JSON.stringify(pattern)}
            type: regex
`;

/** A step that reads the provider's XML answer with an XPath 3.1 criterion and a Selector Object (Arazzo 1.1). */
const XPATH_WORKFLOW = `${ARAZZO_HEAD.replace('arazzo: 1.0.1', 'arazzo: 1.1.0')}
workflows:
  - workflowId: xpath
    steps:
      - stepId: probe
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
        successCriteria:
          - context: $response.body
            condition: count(//a) > 0
            type: xpath
        outputs:
          first:
            context: $response.body
            selector: (//a)[1]
            type: xpath
`;

/** A workflow that accepts any input (the attack is the input itself). */
const OPEN_INPUTS_WORKFLOW = `${ARAZZO_HEAD}
workflows:
  - workflowId: open
    inputs: { type: object }
    steps:
      - stepId: probe
        operationId: getPet
        parameters:
          - { name: id, in: path, value: p-1 }
`;

const deepInput = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

interface RuntimeCase {
  readonly name: string;
  /** Arazzo document (beside PETS_OPENAPI) and extra `run` arguments. */
  readonly workflow: string;
  readonly args?: readonly string[];
  /** What the provider answers to GET /pets/{id} (200 unless `status`). */
  readonly body?: unknown;
  /** Its Content-Type, when the body is text. */
  readonly contentType?: string;
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** How many requests the provider receives, when the case bounds them. */
  readonly calls?: number;
  /** The error line and exit code expected. */
  readonly error: string;
  /** What the output must also say (a criterion's note). */
  readonly note?: string;
  readonly exitCode: number;
  /** Kill limits: generous, they catch a hang or unbounded memory, not a slow machine. */
  readonly timeoutMs: number;
  readonly maxOldSpaceMb: number;
}

const EVIL = `${'a'.repeat(40)}!`;

const CASES: readonly RuntimeCase[] = [
  {
    name: 'regex ^(a+)+$ against 40 a and ! (RE2: linear time, the criterion is false)',
    workflow: regexWorkflow('^(a+)+$'),
    body: { name: EVIL },
    error: 'Arazzo.StepFailed',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
  {
    name: 'regex ^(a+)+$ against 5,000 a and ! (RE2: linear time)',
    workflow: regexWorkflow('^(a+)+$'),
    body: { name: `${'a'.repeat(5_000)}!` },
    error: 'Arazzo.StepFailed',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
  {
    name: 'regex with a back-reference, ^(a+)+\\1$, against 40 a and ! (no RE2: the time budget stops it)',
    workflow: regexWorkflow('^(a+)+\\1$'),
    body: { name: EVIL },
    error: 'Arazzo.Expression',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
  {
    name: 'the same in an Arazzo 1.1 document (the budget is an evaluation error: the criterion is not met, with a note naming the budget)',
    workflow: regexWorkflow('^(a+)+\\1$').replace('arazzo: 1.0.1', 'arazzo: 1.1.0'),
    body: { name: EVIL },
    error: 'Arazzo.StepFailed',
    note: 'is not met: it could not be evaluated within the regex time budget, a bound of this implementation',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
  {
    name: 'regex ^(a+)+$ against a text with a no-break space (the engines differ on it: the time budget)',
    workflow: regexWorkflow('^(a+)+$'),
    body: { name: `${'a'.repeat(40)}\u00a0` },
    error: 'Arazzo.Expression',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
  {
    name: 'XML nested 70,000 elements deep under an XPath 3.1 criterion (not read past 256 levels, where evaluation grows with the square of the depth)',
    workflow: XPATH_WORKFLOW,
    body: `${'<a>'.repeat(70_000)}${'</a>'.repeat(70_000)}`,
    contentType: 'application/xml',
    // Arazzo 1.1 § Criterion Object, "Evaluation Errors": the bound makes the criterion not met.
    error: 'Arazzo.StepFailed',
    note: 'is not met: it could not be evaluated within the XML nesting depth an XPath reads, a bound of this implementation',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
  {
    name: 'XML of 1.2 MiB (160,000 elements) under an XPath 3.1 criterion (not read past 1 MiB, before it is parsed)',
    workflow: XPATH_WORKFLOW,
    body: `<r>${'<a>x</a>'.repeat(160_000)}</r>`,
    contentType: 'application/xml',
    error: 'Arazzo.StepFailed',
    note: 'is not met: it could not be evaluated within the XML size an XPath reads, a bound of this implementation',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
  {
    name: 'an input nested 2,000 levels (the engine fails before its first state; its timers are released)',
    workflow: OPEN_INPUTS_WORKFLOW,
    args: ['--input', `deep=${deepInput(2_000)}`],
    error: 'States.Runtime',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
  {
    name: 'an input nested 20,000 levels',
    workflow: OPEN_INPUTS_WORKFLOW,
    args: ['--input', `deep=${deepInput(20_000)}`],
    error: 'States.Runtime',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
  // A provider's Retry-After is untrusted: a delay past the bound (60 s) is refused, not waited;
  // a provider that throttles forever is waited out 5 times (real waits of 1 s), then refused.
  {
    name: "a provider's 429 with Retry-After: 3600",
    workflow: OPEN_INPUTS_WORKFLOW,
    status: 429,
    headers: { 'retry-after': '3600' },
    body: { error: 'slow down' },
    calls: 1,
    error: 'Arazzo.Throttled',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
  {
    name: 'a provider that answers 429 with Retry-After: 1 forever',
    workflow: OPEN_INPUTS_WORKFLOW,
    status: 429,
    headers: { 'retry-after': '1' },
    body: { error: 'slow down' },
    calls: 6,
    error: 'Arazzo.Throttled',
    exitCode: 1,
    timeoutMs: 30_000,
    maxOldSpaceMb: 256,
  },
];

describe('hostile runtime inputs (run)', () => {
  let cli: BuiltCli;
  let server: LoopbackServer;
  let dir: string;
  let answer: { status?: number; headers?: Readonly<Record<string, string>>; body: unknown } = { body: undefined };

  beforeAll(async () => {
    [cli, server, dir] = await Promise.all([buildCli(), startLoopbackServer(), mkdtemp(join(tmpdir(), 'arazzo-hostile-runtime-'))]);
    server.route('GET', '/pets/{id}', () => answer);
    await writeFile(join(dir, 'openapi.yml'), PETS_OPENAPI);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([cli?.remove(), server?.close(), dir ? rm(dir, { recursive: true, force: true }) : undefined]);
  });

  async function run(c: RuntimeCase, index: number): Promise<BoundedRun> {
    const file = join(dir, `case-${index}.arazzo.yml`);
    await writeFile(file, c.workflow);
    const headers = { ...(c.contentType ? { 'content-type': c.contentType } : {}), ...c.headers };
    answer = { ...(c.status ? { status: c.status } : {}), ...(Object.keys(headers).length ? { headers } : {}), body: c.body ?? { name: 'rex' } };
    return runCliBounded(cli, ['run', file, '--no-cache', '--server', `pets=${server.url}`, ...(c.args ?? [])], {
      timeoutMs: c.timeoutMs,
      maxOldSpaceMb: c.maxOldSpaceMb,
    });
  }

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, index) => {
    const before = server.requests.length;
    const r = await run(c, index);
    if (c.calls !== undefined) expect(server.requests.length - before).toBe(c.calls);
    // Measured, for docs/hostile-inputs.md when HOSTILE_REPORT is set.
    if (process.env.HOSTILE_REPORT) console.log(`| ${c.name} | ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.peakRssMb?.toFixed(0)} MiB |`);
    expectCleanRefusal(r, { error: c.error, exitCode: c.exitCode });
    if (c.note) expect(`${r.stdout}\n${r.stderr}`).toContain(c.note);
  });
});
