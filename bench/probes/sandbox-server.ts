/**
 * The provider sandbox in a process of its own, for benchmarks that compare runners: a sandbox
 * sharing the runner's event loop would bill its own request handling to whichever runner
 * is being timed, and a runner in another process (Redocly Respect) could not share it at all.
 *
 * Starts every simulator with its default accounts (Fintecture `sandbox-app-id`, Mbanq tenant
 * `default`, connectFi `sandbox_user`), prints one JSON line with their URLs, and stays up until
 * its stdin closes (the parent exiting, however it exits) or it receives SIGTERM/SIGINT.
 *
 * SIGUSR2 empties every simulator's store (tokens, customers, payments, …; the scenarios stay) and
 * prints `reset`: a throughput run creates tens of thousands of records, and the Fintecture token
 * endpoint scans every token it holds on each request, so rounds would slow down one after another.
 */
import { startSandboxes } from '../../sandbox/index.js';
import { startKmsStandIn } from '../lib/kms-stand-in.js';

/**
 * `--latency-ms <n>`: every Fintecture request waits n ms before it is processed (a scenario
 * fault with only a delay), standing for a real provider's answer time. `--kms-latency-ms <n>`:
 * the loopback KMS stand-in (a test double) waits n ms before each answer.
 */
function numberArg(name: string): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? 0 : Number(process.argv[i + 1]);
}
const latencyMs = numberArg('--latency-ms');
const kmsLatencyMs = numberArg('--kms-latency-ms');

// The default 1,000-entry request logs are copied on every read and trimmed with splice; a
// throughput run makes hundreds of thousands of requests, so keep the bookkeeping small.
// PIS signatures are made by the clients timed (the signed rows) but not verified here: one
// sandbox serves the unsigned and signed rounds, and Respect, which cannot sign, alike; a sent
// Digest is still checked against the body. What is timed is the client's signing.
const sandboxes = await startSandboxes({
  fintecture: { requestLogLimit: 10, verifySignatures: false, ...(latencyMs ? { scenario: { faults: [{ delayMs: latencyMs }] } } : {}) },
  mbanq: { requestLogLimit: 10 },
  connectfi: { requestLogLimit: 10 },
});

const kms = await startKmsStandIn(kmsLatencyMs);

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await Promise.all([sandboxes.close(), kms.close()]);
  process.exit(0);
}
process.on('SIGUSR2', () => {
  sandboxes.fintecture.reset();
  sandboxes.mbanq.reset();
  sandboxes.connectfi.reset();
  process.stdout.write('reset\n');
});
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();

process.stdout.write(
  JSON.stringify({
    pid: process.pid,
    fintecture: sandboxes.fintecture.url,
    mbanq: sandboxes.mbanq.url,
    connectfi: sandboxes.connectfi.url,
    kms: kms.url,
  }) + '\n',
);
