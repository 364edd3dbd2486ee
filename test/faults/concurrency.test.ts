import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmSealer, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import type { CompiledWorkflow } from '../../compiler/index.js';
import { LocalWorkflow } from '../../local/run-workflow.js';
import { DEFAULT_FINTECTURE_CLIENTS, startFintectureSandbox, type FaultRule, type FintectureSandbox } from '../../sandbox/index.js';
import { compileSeed, scanForSecrets, SEED_000, seed000Input } from '../integration/support/seed-harness.js';
import { scheduleSeed000, tally, type ExpectedEnd } from './support/fault-schedule.js';

const EXECUTIONS = 1_000;
const SEED = 0x5eed_0008;
const MAX_POLLS = 5;
// A sanity bound only: the point is that memory does not grow with what the executions leave behind.
const RSS_BOUND_BYTES = 1.5 * 1024 ** 3;

interface End {
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly output?: Record<string, unknown>;
  readonly lastEvent?: string;
}

describe(`${EXECUTIONS} concurrent executions of seed 000 against one sandbox, 5% of them meeting a fault`, () => {
  let sandbox: FintectureSandbox;
  let workflow: CompiledWorkflow;
  let agent: Agent;
  const [clientId, clientSecret] = Object.entries(DEFAULT_FINTECTURE_CLIENTS)[0];

  beforeAll(async () => {
    sandbox = await startFintectureSandbox({ requestLogLimit: 100 });
    // The loop bound is lowered so the executions whose verification never settles end quickly.
    // CONTENT_TYPE_CHECK at error: a mislabelled poll is a contract fault the Task retries (fault-schedule.ts counts on it).
    workflow = await compileSeed(SEED_000, { defaultLoop: { maxAttempts: MAX_POLLS }, checks: { CONTENT_TYPE_CHECK: 'error' } });
    // Bounded like a fleet of Lambda containers would be, rather than one socket per execution.
    agent = new Agent({ connections: 64 });
  });
  afterAll(async () => {
    await agent.close();
    await sandbox.close();
  });

  async function mintToken(): Promise<string> {
    const res = await request(`${sandbox.url}/oauth/accesstoken`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'customer', client_id: clientId, client_secret: clientSecret }).toString(),
    });
    const body = (await res.body.json()) as { access_token: string };
    return body.access_token;
  }

  it('all reach the end the schedule computes, no execution is left running, and memory stays bounded', async () => {
    const schedule = scheduleSeed000({ executions: EXECUTIONS, seed: SEED, faultRate: 0.05, neverRate: 0.02 });
    const faulted = schedule.filter((s) => s.fault);
    expect(faulted).toHaveLength(EXECUTIONS * 0.05);
    // A seed that drew only faults that are retried away would test nothing about failing with a name.
    expect(new Set(faulted.map((s) => s.fault!.failsWith)).size).toBeGreaterThan(2);

    sandbox.reset();
    // Every faulted execution gets its own token, so its faults hit its own requests whatever the interleaving.
    const secrets = new InMemorySecretsProvider();
    const sharedToken = await mintToken();
    secrets.set('shared', sharedToken);
    const faults: FaultRule[] = [];
    const tokenOf = new Map<number, string>();
    const secretOf = new Map<number, string>();
    for (const s of faulted) {
      const token = await mintToken();
      tokenOf.set(s.index, token);
      secrets.set(`t${s.index}`, token);
      secretOf.set(s.index, `t${s.index}`);
      faults.push({ ...s.fault!.rule, headers: { authorization: `Bearer ${token}` } });
    }
    sandbox.setScenario({ faults });
    const requestsBefore = sandbox.stats.requests;

    const runtime = { secrets, sealer: new AesGcmSealer(randomBytes(32)), dispatcher: agent, serverUrls: { customersApi: sandbox.url } };
    const local = new LocalWorkflow(workflow);
    let peakSampledRss = process.memoryUsage().rss;
    const baselineRss = peakSampledRss;
    const sampler = setInterval(() => {
      peakSampledRss = Math.max(peakSampledRss, process.memoryUsage().rss);
    }, 50);
    const leaks: string[] = [];

    const started = performance.now();
    let ends: End[];
    try {
      ends = await Promise.all(
        schedule.map(async (s): Promise<End> => {
          const input = seed000Input(s.email, { accessToken: `secret:${secretOf.get(s.index) ?? 'shared'}` });
          const execution = await local.run(input, { runtime, waitMs: 1, retryIntervalMs: 1, timeoutMs: 120_000 });
          // Only a summary outlives the execution, so what memory holds is what the engine holds while running.
          const text = `${JSON.stringify(execution.history)}${execution.cause ?? ''}`;
          if (scanForSecrets(text, [tokenOf.get(s.index) ?? sharedToken]).length) leaks.push(`execution ${s.index}`);
          return {
            status: execution.status,
            ...(execution.error ? { error: execution.error } : {}),
            ...(execution.cause ? { cause: execution.cause } : {}),
            ...(execution.output ? { output: execution.output as Record<string, unknown> } : {}),
            lastEvent: execution.history.at(-1)?.type,
          };
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    const elapsedMs = performance.now() - started;
    const maxRssBytes = process.resourceUsage().maxRSS * 1024;

    const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;
    const counts = tally(ends);
    console.log(
      `${EXECUTIONS} executions (${faulted.length} with an injected fault) in ${Math.round(elapsedMs)} ms; ` +
        `${sandbox.stats.requests - requestsBefore} sandbox requests, ${sandbox.stats.faultsInjected} faults injected; ` +
        `peak RSS ${mib(maxRssBytes)} (process maxRSS), sampled ${mib(baselineRss)} before → ${mib(peakSampledRss)} peak; ends ${JSON.stringify(counts)}`,
    );

    // Terminal, every one, and the history agrees: its last event is the execution's end.
    const lastEventOf = { SUCCEEDED: 'ExecutionSucceeded', FAILED: 'ExecutionFailed' } as Record<string, string>;
    expect(ends.filter((e) => lastEventOf[e.status] === undefined || e.lastEvent !== lastEventOf[e.status])).toEqual([]);

    // The counts the schedule computes, then each execution against its own expectation.
    expect(counts).toEqual(tally(schedule.map((s) => s.expected)));
    const mismatches = schedule
      .map((s, i) => ({ s, end: ends[i] }))
      .filter(({ s, end }) => !endMatches(end, s.expected))
      .map(({ s, end }) => ({ index: s.index, email: s.email, fault: s.fault?.name, expected: s.expected, got: { status: end.status, error: end.error, cause: end.cause, output: end.output } }));
    expect(mismatches).toEqual([]);

    // Each failure names itself: a runtime error code, never an engine or JavaScript one.
    for (const e of ends.filter((x) => x.status === 'FAILED')) expect(e.error).toMatch(/^Arazzo\.\w+$/);
    expect(leaks).toEqual([]);
    // Every injected fault was met (a rule left with budget would mean its execution took another path).
    expect(sandbox.stats.faultsInjected).toBe(faulted.reduce((n, s) => n + s.fault!.hits, 0));
    expect(maxRssBytes).toBeLessThan(RSS_BOUND_BYTES);
  }, 90_000);
});

function endMatches(end: End, expected: ExpectedEnd): boolean {
  if (end.status !== expected.status) return false;
  if (expected.error !== undefined && end.error !== expected.error) return false;
  if (expected.output) {
    if (end.output?.finalStatus !== expected.output.finalStatus) return false;
    if (end.output?.failedStatus !== expected.output.failedStatus) return false;
  }
  return true;
}
