/**
 * What signing costs (issue 18): seed 001 signed vs unsigned on the embedded engine, beside the
 * same HTTP calls written by hand, unsigned and signed with node:crypto directly, in the same
 * rounds; and the cost of one signature per scheme, beside node:crypto signing the same base.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Agent } from 'undici';
import { compileFileOrThrow } from '../compiler/index.js';
import type { SigningPlan } from '../core/plan.js';
import { AesGcmSealer, InMemorySecretsProvider } from '../functions/runtime/secrets/index.js';
import { PemSigningKeys, signRequest, signWithKeyObject } from '../functions/runtime/signing/index.js';
import { LocalWorkflowSet } from '../local/workflow-set.js';
import type { BenchContext, BenchReport, Benchmark } from './lib/benchmark.js';
import { collectGarbage } from './lib/collect-garbage.js';
import { measureRate, medianBy, type Rate } from './lib/measure-rate.js';
import { runSeed001Raw, type SignPayment } from './lib/raw-calls.js';
import { FINTECTURE_CLIENT, startSandboxProcess } from './lib/sandbox-process.js';
import { ms, percent, ratio, type Table } from './lib/table.js';

const SEED_001 = 'workflows/arazzo/token-then-payment.arazzo.yml';
const APP_SECRET = 'bench/fintecture/app';
const KEY_SECRET = 'bench/fintecture/signing-key';
const ROUNDS = 3;
const ROUND_MS = 1_000;
const CONCURRENCY = [1, 8] as const;
/** Fintecture's PIS signature, keyId the application id, as the demo declares it. */
const SIGNING = {
  pisApi: { scheme: 'draft-cavage', algorithm: 'rsa-sha256', components: ['(request-target)', 'date', 'digest', 'x-request-id'], key: KEY_SECRET, keyId: '$inputs.clientId' },
};

type Subject = 'runner unsigned' | 'runner signed' | 'raw unsigned' | 'raw signed';
const SUBJECTS: readonly Subject[] = ['runner unsigned', 'runner signed', 'raw unsigned', 'raw signed'];

/** The raw script's signature: the same headers arazzo-sfn sends, made with node:crypto and nothing else. */
function rawSigner(privateKey: KeyObject): SignPayment {
  return (method, path, body, requestId) => {
    const date = new Date().toUTCString();
    const digest = `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
    const base = `(request-target): ${method.toLowerCase()} ${path}\ndate: ${date}\ndigest: ${digest}\nx-request-id: ${requestId}`;
    const signature = sign('sha256', Buffer.from(base), privateKey).toString('base64');
    return { date, digest, signature: `keyId="${FINTECTURE_CLIENT.id}",algorithm="rsa-sha256",headers="(request-target) date digest x-request-id",signature="${signature}"` };
  };
}

const seed001Input = () => ({
  clientId: `secret:${APP_SECRET}#id`,
  clientSecret: `secret:${APP_SECRET}#secret`,
  amount: '149.90',
  currency: 'EUR',
  communication: 'Order 1042',
  requestId: randomUUID(),
});

/** µs per call of `fn`, mean of `n` after `warmup`. */
async function microseconds(fn: () => unknown, warmup: number, n: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - t) / n) * 1000;
}

async function perSignature(): Promise<Table> {
  const rows: string[][] = [];
  const cases: [string, () => KeyObject, Omit<SigningPlan, 'key' | 'keyId'>][] = [
    [
      'rsa 2048',
      () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      { scheme: 'draft-cavage', algorithm: 'rsa-sha256', components: ['(request-target)', 'date', 'digest', 'x-request-id'], digest: 'digest' },
    ],
    [
      'rsa 2048',
      () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      { scheme: 'rfc9421', algorithm: 'rsa-pss-sha512', components: ['@method', '@authority', '@path', 'content-digest'], digest: 'content-digest' },
    ],
    [
      'P-256',
      () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
      { scheme: 'rfc9421', algorithm: 'ecdsa-p256-sha256', components: ['@method', '@authority', '@path', 'content-digest'], digest: 'content-digest' },
    ],
    ['Ed25519', () => generateKeyPairSync('ed25519').privateKey, { scheme: 'rfc9421', algorithm: 'ed25519', components: ['@method', '@authority', '@path', 'content-digest'], digest: 'content-digest' }],
  ];
  for (const [keyType, makeKey, plan] of cases) {
    const privateKey = makeKey();
    const keys = new PemSigningKeys(new InMemorySecretsProvider({ k: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }));
    const body = JSON.stringify({ meta: {}, data: { type: 'PIS', attributes: { amount: '149.90', currency: 'EUR', communication: 'Order 1042', payment_method: 'immediate_transfer' } } });
    const request = { method: 'POST', url: 'https://api.fintecture.com/pis/v2/connect', headers: { 'x-request-id': randomUUID() }, body, parts: { headers: {}, query: {}, path: {} } };
    const full = { ...plan, key: 'k', keyId: 'app' } as SigningPlan;
    const base = Buffer.from(`(request-target): post /pis/v2/connect\ndate: ${new Date().toUTCString()}\ndigest: SHA-256=${createHash('sha256').update(body).digest('base64')}\nx-request-id: r`);
    const subject = await microseconds(() => signRequest(request, full, keys, Date.now(), 'bench'), 200, 2_000);
    // The floor: digest the body and sign a base of the same size with the same key, node:crypto only.
    const raw = await microseconds(() => {
      createHash('sha256').update(body).digest('base64');
      return signWithKeyObject(privateKey, plan.algorithm, base);
    }, 200, 2_000);
    rows.push([`${plan.scheme} ${plan.algorithm}`, keyType, ms(subject / 1000), ms(raw / 1000), ratio(subject / raw)]);
  }
  return {
    title: 'One signature: signRequest vs node:crypto signing the same base',
    columns: [{ header: 'scheme / algorithm', align: 'left' }, { header: 'key', align: 'left' }, { header: 'signRequest ms' }, { header: 'node:crypto ms' }, { header: '×' }],
    rows,
    notes: [
      'signRequest = Date, body digest, signature base, signature with a PEM key (parsed once), header assembly; mean of 2,000 after 200 warm-up.',
      'node:crypto = the body digest and crypto.sign over a base of the same size with the same key: what any client pays to sign.',
    ],
  };
}

export const signingBenchmark: Benchmark = {
  name: 'signing',
  title: 'Signing cost (issue 18)',
  summary:
    'Seed 001 signed (draft-cavage rsa-sha256, a PEM key) and unsigned, executions/s on the embedded engine at 1 and 8 concurrent, beside the same HTTP calls by hand with undici, unsigned and signed with node:crypto directly, in the same rounds (median of 3 rounds of 1 s, order rotated); and one signature per scheme vs node:crypto signing the same base.',

  async run(ctx: BenchContext): Promise<BenchReport> {
    const sandbox = await startSandboxProcess(ctx.root);
    const dispatcher = new Agent({ connect: { timeout: 5_000 }, keepAliveTimeout: 10_000 });
    const rawDispatcher = new Agent({ connect: { timeout: 5_000 }, keepAliveTimeout: 10_000 });
    try {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const secrets = new InMemorySecretsProvider({
        [APP_SECRET]: JSON.stringify({ id: FINTECTURE_CLIENT.id, secret: FINTECTURE_CLIENT.secret }),
        [KEY_SECRET]: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      });
      const sealer = new AesGcmSealer();
      const file = join(ctx.root, SEED_001);
      const unsigned = new LocalWorkflowSet(await compileFileOrThrow(file));
      const signed = new LocalWorkflowSet(await compileFileOrThrow(file, { signing: SIGNING }));
      const serverUrls = { oauthApi: sandbox.urls.fintecture, pisApi: sandbox.urls.fintecture };
      let sentSignatures = 0;
      const execute = async (set: LocalWorkflowSet) => {
        const execution = await set.run('token-then-payment', seed001Input(), { runtime: { secrets, sealer, dispatcher, serverUrls }, waitMs: 0, retryIntervalMs: 0, timeoutMs: 60_000 });
        if (execution.status !== 'SUCCEEDED') throw new Error(`seed 001: execution ${execution.status} (${execution.error}: ${execution.cause})`);
        return execution;
      };
      const signRaw = rawSigner(privateKey);
      const countingSigner: SignPayment = (...args) => (sentSignatures++, signRaw(...args));
      const raw = (signs: boolean) => () =>
        runSeed001Raw(
          sandbox.urls.fintecture,
          { clientId: FINTECTURE_CLIENT.id, clientSecret: FINTECTURE_CLIENT.secret, amount: '149.90', currency: 'EUR', communication: 'Order 1042', requestId: randomUUID() },
          rawDispatcher,
          signs ? countingSigner : undefined,
        );
      const run: Record<Subject, () => Promise<unknown>> = {
        'runner unsigned': () => execute(unsigned),
        'runner signed': () => execute(signed),
        'raw unsigned': raw(false),
        'raw signed': raw(true),
      };
      // Checked before timing: the signed runs send a signature the sandbox accepts (its Digest is checked against the body).
      for (const subject of SUBJECTS) await run[subject]();
      if (!sentSignatures) throw new Error('the raw signed subject sent no signature');

      const results = new Map<string, Rate[]>();
      for (const c of CONCURRENCY) {
        for (const subject of SUBJECTS) {
          await sandbox.reset();
          await measureRate(run[subject], c, 300, sandbox);
        }
        for (let round = 0; round < ROUNDS; round++) {
          ctx.progress(`signing: concurrency ${c}, round ${round + 1}/${ROUNDS}`);
          const order = SUBJECTS.map((_, i) => SUBJECTS[(i + round) % SUBJECTS.length]);
          for (const subject of order) {
            await sandbox.reset();
            collectGarbage();
            const rate = await measureRate(run[subject], c, ROUND_MS, sandbox);
            const key = `${c}\u0000${subject}`;
            results.set(key, [...(results.get(key) ?? []), rate]);
          }
        }
      }

      const rows: string[][] = [];
      const verdicts: string[] = [];
      for (const c of CONCURRENCY) {
        const median = (s: Subject) => medianBy(results.get(`${c}\u0000${s}`)!, (r) => r.perSecond);
        const [ru, rs, wu, ws] = SUBJECTS.map(median);
        for (const [subject, rate, base] of [
          ['runner unsigned', ru, ru],
          ['runner signed', rs, ru],
          ['raw unsigned', wu, wu],
          ['raw signed', ws, wu],
        ] as const) {
          rows.push([String(c), subject, rate.perSecond.toFixed(0), ms(rate.cpuMs), ratio(rate.perSecond / base.perSecond), percent(rate.sandboxShare ?? NaN)]);
        }
        const change = (a: Rate, b: Rate) => `${((a.perSecond / b.perSecond - 1) * 100).toFixed(1)}%`;
        verdicts.push(
          `at ${c} concurrent: signing changes arazzo-sfn's executions/s by ${change(rs, ru)} (the raw calls': ${change(ws, wu)}); signed arazzo-sfn runs at ${ratio(rs.perSecond / ws.perSecond)} the signed raw calls (unsigned: ${ratio(ru.perSecond / wu.perSecond)}).`,
        );
      }
      const throughput: Table = {
        title: 'Seed 001 signed vs unsigned: executions/s',
        columns: [{ header: 'concurrent' }, { header: 'subject', align: 'left' }, { header: 'exec/s' }, { header: 'CPU ms/exec' }, { header: '× unsigned' }, { header: 'sandbox CPU' }],
        rows,
        notes: [
          'runner = arazzo-sfn on the embedded engine (waits 0 ms), signed by configuration (draft-cavage rsa-sha256 over (request-target) date digest x-request-id, keyId $inputs.clientId, a 2048-bit PEM key from the local secrets provider); raw = the same three HTTP calls with undici, signed with node:crypto directly (bench/lib/raw-calls.ts).',
          '× unsigned = exec/s over the same kind of subject unsigned, same concurrency, medians of the same rounds. The sandbox runs in its own process and does not verify signatures here (one sandbox for all four subjects), but checks each sent Digest against the body.',
        ],
      };
      ctx.progress('signing: one signature per scheme');
      return { tables: [throughput, await perSignature()], verdicts };
    } finally {
      await Promise.all([dispatcher.close(), rawDispatcher.close()]);
      await sandbox.close();
    }
  },
};
