import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/cli-error.js';
import { runGraph } from '../../../cli/commands/graph.js';
import { executionToJson } from '../../../cli/print-execution.js';
import { compileFileOrThrow } from '../../../compiler/index.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../../../functions/runtime/secrets/index.js';
import { historyToJson } from '../../../local/history/index.js';
import { LocalWorkflow } from '../../../local/run-workflow.js';
import { startFintectureSandbox, type FintectureSandbox } from '../../../sandbox/index.js';
import { ROOT, SEED_000, seed000Input, startSeedHarness, type SeedHarness, type SeedRun } from '../../integration/support/seed-harness.js';

function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, text: () => text };
}

async function graph(file: string, opts: Parameters<typeof runGraph>[1]) {
  const [stdout, stderr] = [sink(), sink()];
  const code = await runGraph(file, opts, stdout.stream, stderr.stream);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** `data-state` → `data-status` of every state the page draws. */
function stateStatuses(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<g class="node [^"]*" data-state="([^"]*)" data-type="[^"]*"(?: data-status="([^"]*)")?/g)) out[m[1]] = m[2] ?? '';
  return out;
}

interface FakeCall {
  readonly target: string;
  readonly body: Record<string, unknown>;
  readonly signed: boolean;
}

/**
 * A Step Functions endpoint on loopback speaking the service's JSON 1.0 protocol (what any
 * endpoint, AWS's or a local one, answers): GetExecutionHistory in pages of 10, and
 * DescribeExecution unless told it does not implement it.
 */
async function startFakeEndpoint(history: readonly HistoryEvent[], executionArn: string, options: { describe: boolean }) {
  const calls: FakeCall[] = [];
  const wire = history.map((e) => ({ ...e, timestamp: e.timestamp!.getTime() / 1000 }));
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => resolve(body));
    });
  const server: Server = createServer(async (req, res) => {
    const body = JSON.parse((await read(req)) || '{}');
    const target = String(req.headers['x-amz-target'] ?? '');
    calls.push({ target, body, signed: /^AWS4-HMAC-SHA256 Credential=/.test(String(req.headers.authorization ?? '')) });
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(payload));
    };
    if (body.executionArn !== executionArn) return reply(400, { __type: 'com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist', message: `Execution Does Not Exist: '${body.executionArn}'` });
    if (target === 'AWSStepFunctions.GetExecutionHistory') {
      const from = body.nextToken ? Number(body.nextToken) : 0;
      const page = wire.slice(from, from + 10);
      return reply(200, { events: page, ...(from + 10 < wire.length ? { nextToken: String(from + 10) } : {}) });
    }
    if (target === 'AWSStepFunctions.DescribeExecution' && options.describe) {
      return reply(200, {
        executionArn,
        stateMachineArn: executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''),
        name: executionArn.split(':').at(-1),
        status: 'SUCCEEDED',
        startDate: wire[0].timestamp,
        stopDate: wire.at(-1)!.timestamp,
      });
    }
    return reply(400, { __type: 'UnknownOperationException', message: `${target} is not implemented here` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('arazzo-sfn graph', () => {
  let harness: SeedHarness;
  let run: SeedRun;
  let dir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    // The loopback endpoint must work without any AWS configuration on the machine.
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    harness = await startSeedHarness();
    await harness.mintToken('customer', 'customersToken');
    run = await harness.run(SEED_000, seed000Input('jane+pending3+verified@example.com'));
    dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-graph-'));
  });
  afterAll(async () => {
    process.env = savedEnv;
    await harness.close();
  });

  const expected = () => {
    const entered = new Set(run.statesEntered);
    return (name: string) => (entered.has(name) ? 'succeeded' : 'not-entered');
  };

  it('--history with what `aws stepfunctions get-execution-history` prints: writes the page with the execution overlaid', async () => {
    const file = join(dir, 'history.json');
    await writeFile(file, JSON.stringify(historyToJson(run.history), null, 2));
    const out = join(dir, 'page.html');
    const result = await graph(SEED_000, { history: file, out });
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toBe(`wrote ${out} (workflow customer-verification-poll, 20 states, 7 entered, execution SUCCEEDED)\n`);
    const html = await readFile(out, 'utf8');
    const statuses = stateStatuses(html);
    expect(Object.keys(statuses)).toHaveLength(20);
    for (const [name, status] of Object.entries(statuses)) expect(status, name).toBe(expected()(name));
  });

  it('--history with `arazzo-sfn run --json` output, page on stdout; --workflow picks a nested execution of it', async () => {
    const doc = join(ROOT, 'test/fixtures/nested/onboarding.arazzo.yml');
    const compiled = (await compileFileOrThrow(doc)).workflows;
    const locals = new Map(compiled.map((w) => [w.plan.workflowId, new LocalWorkflow(w)]));
    let sandbox: FintectureSandbox | undefined;
    try {
      sandbox = await startFintectureSandbox({});
      const secrets = new InMemorySecretsProvider({ customers: await harness.mintToken('customer', 'nestedToken') });
      const exec = await locals.get('verify-customer')!.run(
        { accessToken: 'secret:customers', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', providerId: 'cmcicfr' },
        { runtime: { secrets, sealer: new AesGcmSealer(), serverUrls: { customersApi: sandbox.url } }, waitMs: 1, retryIntervalMs: 1, workflows: (t) => locals.get(t.workflowId) },
      );
      expect(exec.status).toBe('SUCCEEDED');
      const file = join(dir, 'run.json');
      await writeFile(file, JSON.stringify(executionToJson(exec), null, 2));

      // The workflow is the one whose state machine the execution belongs to, not the file's first.
      const parent = await graph(doc, { history: file });
      expect(parent.code).toBe(0);
      expect(parent.stdout).toMatch(/^<!DOCTYPE html>/);
      expect(parent.stdout).toContain('<h1>Workflow <span class="wf">verify-customer</span></h1>');
      expect(parent.stdout).toContain(`<dd>${exec.name}</dd>`);
      const entered = Object.entries(stateStatuses(parent.stdout)).filter(([, s]) => s !== 'not-entered').map(([n]) => n);
      const names = (h: readonly HistoryEvent[]) => [...new Set(h.flatMap((e) => (e.stateEnteredEventDetails ? [e.stateEnteredEventDetails.name!] : [])))].sort();
      expect(entered.sort()).toEqual(names(exec.history));
      expect(entered).toContain('register.run');

      const child = await graph(doc, { history: file, workflow: 'register-customer' });
      expect(child.stdout).toContain('<h1>Workflow <span class="wf">register-customer</span></h1>');
      expect(child.stdout).toContain(`<dd>${exec.children[0].name}</dd>`);
      const childEntered = Object.entries(stateStatuses(child.stdout)).filter(([, s]) => s !== 'not-entered').map(([n]) => n);
      expect(childEntered.sort()).toEqual(names(exec.children[0].history));
      expect(child.stderr).toBe('');
    } finally {
      await sandbox?.close();
    }
  });

  it('--execution reads every page of GetExecutionHistory and DescribeExecution from the endpoint, signed without configured credentials', async () => {
    const arn = run.execution.executionArn;
    const endpoint = await startFakeEndpoint(run.history, arn, { describe: true });
    try {
      const result = await graph(SEED_000, { execution: arn, endpointUrl: endpoint.url });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const pages = endpoint.calls.filter((c) => c.target === 'AWSStepFunctions.GetExecutionHistory');
      expect(pages).toHaveLength(Math.ceil(run.history.length / 10));
      expect(pages.map((p) => p.body.nextToken ?? null)).toEqual([null, ...pages.slice(1).map((_, i) => String((i + 1) * 10))]);
      expect(endpoint.calls.map((c) => c.target)).toContain('AWSStepFunctions.DescribeExecution');
      expect(endpoint.calls.every((c) => c.signed)).toBe(true);
      for (const [name, status] of Object.entries(stateStatuses(result.stdout))) expect(status, name).toBe(expected()(name));
      expect(result.stdout).toContain(`data-state="pollVerification" data-type="Task" data-status="succeeded" data-visits="4"`);
      expect(result.stdout).toContain(`<dd>${run.execution.name}</dd>`);
    } finally {
      await endpoint.close();
    }
  });

  it('--execution against an endpoint without DescribeExecution: warns, and takes the summary from the history', async () => {
    const arn = run.execution.executionArn;
    const endpoint = await startFakeEndpoint(run.history, arn, { describe: false });
    try {
      const result = await graph(SEED_000, { execution: arn, endpointUrl: endpoint.url, out: join(dir, 'no-describe.html') });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('DescribeExecution failed (UnknownOperationException); the summary comes from the history alone');
      const html = await readFile(join(dir, 'no-describe.html'), 'utf8');
      expect(html).toContain('<span class="status SUCCEEDED">SUCCEEDED</span>');
    } finally {
      await endpoint.close();
    }
  });

  it('reports an unknown execution, a bad ARN or URL, unreadable files and conflicting options as usage errors', async () => {
    const endpoint = await startFakeEndpoint(run.history, run.execution.executionArn, { describe: true });
    try {
      const missing = 'arn:aws:states:us-east-1:000000000000:execution:customer-verification-poll:nope';
      await expect(graph(SEED_000, { execution: missing, endpointUrl: endpoint.url })).rejects.toThrow(
        new UsageError(`cannot read the history of ${missing} from ${endpoint.url}: ExecutionDoesNotExist: Execution Does Not Exist: '${missing}'`),
      );
    } finally {
      await endpoint.close();
    }
    await expect(graph(SEED_000, { execution: 'not-an-arn' })).rejects.toThrow(/--execution expects an execution ARN/);
    await expect(graph(SEED_000, { execution: run.execution.executionArn, endpointUrl: 'ftp://x' })).rejects.toThrow(/--endpoint-url expects an http\(s\) URL/);
    await expect(graph(SEED_000, { history: 'a.json', execution: run.execution.executionArn })).rejects.toThrow('give either --history or --execution, not both');
    await expect(graph(SEED_000, { endpointUrl: 'http://127.0.0.1:1' })).rejects.toThrow('--endpoint-url and --region go with --execution');
    await expect(graph(SEED_000, { history: join(dir, 'absent.json') })).rejects.toThrow(`cannot read --history ${join(dir, 'absent.json')}: ENOENT`);
    const secretish = join(dir, 'broken.json');
    await writeFile(secretish, '{"events": [ "token-abc123');
    await expect(graph(SEED_000, { history: secretish })).rejects.toThrow(new UsageError(`cannot read --history ${secretish}: not valid JSON`));
    const other = join(dir, 'other.json');
    await writeFile(other, '{"something": 1}');
    await expect(graph(SEED_000, { history: other })).rejects.toThrow(/neither \{"events": \[\.\.\.\]\}/);
    await expect(graph(SEED_000, { workflow: 'nope' })).rejects.toThrow('no workflow "nope" in');
  });

  it('says so when the history is of another workflow', async () => {
    const file = join(dir, 'history-000.json');
    await writeFile(file, JSON.stringify(historyToJson(run.history)));
    const result = await graph(join(ROOT, 'workflows/arazzo/token-then-payment.arazzo.yml'), { history: file });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^arazzo-sfn graph: the history enters states token-then-payment does not have \("createCustomer", /);
    expect(result.stdout).toContain('History does not match');
  });

  it('exits 2 with the diagnostics when the document does not compile', async () => {
    const broken = join(dir, 'broken.arazzo.yml');
    await writeFile(broken, 'arazzo: 1.0.1\ninfo: {title: x, version: "1"}\nworkflows: []\n');
    const result = await graph(broken, {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.arazzo\.yml:\d+:\d+: error /);
  });
});
