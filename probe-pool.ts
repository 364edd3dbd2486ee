import { EnginePool } from './local/sfn-endpoint/engine/engine-pool.js';
const LOOP = { StartAt: 'Spin', States: { Spin: { Type: 'Pass', Next: 'Again' }, Again: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Spin' }], Default: 'Done' }, Done: { Type: 'Succeed' } } };
const pool = new EnginePool({ workers: 1, quotas: { historyDataBytes: 1 << 20 } });
await pool.warm();
const t0 = Date.now();
const run = pool.run(LOOP, { go: true, s: 'y'.repeat(Number(process.argv[2]) * 1024) }, { taskResourceLocalHandlers: {} });
let n = 0;
const c = (async () => { for await (const e of run.eventLogs) { n++; if (n % 2500 === 0) console.log(n, Date.now() - t0, 'ms'); } })();
try { await run.result; } catch (e) { console.log('result', (e as Error).name); }
await c; console.log('events', n, Date.now() - t0, 'ms');
await pool.close();
