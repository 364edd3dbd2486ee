import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { distPath } from './paths.js';

export interface SandboxUrls {
  readonly fintecture: string;
  readonly mbanq: string;
  readonly connectfi: string;
  /** The loopback KMS stand-in (a test double; bench/lib/kms-stand-in.ts). */
  readonly kms: string;
}

export interface SandboxProcessOptions {
  /** Every Fintecture request waits this long before it is processed: a real provider's answer time. @default 0 */
  readonly latencyMs?: number;
  /** The KMS stand-in waits this long before each answer: a real kms:Sign's network and HSM time. @default 0 */
  readonly kmsLatencyMs?: number;
}

export interface SandboxProcess {
  readonly urls: SandboxUrls;
  readonly pid: number;
  /** CPU time (user + system) the sandbox process has used so far, in ms; undefined where /proc is not readable. */
  cpuMs(): number | undefined;
  /** Empties the simulators' stores (tokens included: mint again after); resolves once the sandbox confirms. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The account the sandbox serves by default (sandbox/fintecture DEFAULT_FINTECTURE_CLIENTS). */
export const FINTECTURE_CLIENT = { id: 'sandbox-app-id', secret: 'sandbox-app-secret' } as const;

// Linux reports CPU times in clock ticks; USER_HZ is 100 on every mainstream kernel build.
const TICKS_PER_SECOND = 100;

function readCpuMs(pid: number): number | undefined {
  try {
    // Fields after the parenthesised command name, which may itself hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * Starts bench/probes/sandbox-server.js (built) in a process of its own and waits for its URLs.
 * The child's stdin is a pipe it watches, so it goes away with this process however that ends.
 */
export async function startSandboxProcess(root: string, options: SandboxProcessOptions = {}): Promise<SandboxProcess> {
  const args = ['--latency-ms', String(options.latencyMs ?? 0), '--kms-latency-ms', String(options.kmsLatencyMs ?? 0)];
  const child: ChildProcess = spawn(process.execPath, [distPath(root, 'bench/probes/sandbox-server.ts'), ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = () => new Promise<string>((resolve) => waiting.push(resolve));
  const urls = await new Promise<SandboxUrls>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the sandbox process did not report its URLs within 30 s')), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (${code}) before reporting its URLs`)));
    void nextLine().then((line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as SandboxUrls);
      } catch {
        reject(new Error(`the sandbox process printed "${line}" instead of its URLs`));
      }
    });
  });
  return {
    urls,
    pid: child.pid!,
    cpuMs: () => readCpuMs(child.pid!),
    reset: async () => {
      const ack = nextLine();
      child.kill('SIGUSR2');
      if ((await ack) !== 'reset') throw new Error('the sandbox process did not confirm its reset');
    },
    close: async () => {
      child.stdin?.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Mints a Fintecture access token with the sandbox's default application (client_credentials grant). */
export async function mintFintectureToken(fintectureUrl: string, scope: string): Promise<string> {
  const res = await request(`${fintectureUrl}/oauth/accesstoken`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, client_id: FINTECTURE_CLIENT.id, client_secret: FINTECTURE_CLIENT.secret }).toString(),
  });
  const body = (await res.body.json()) as { access_token?: string };
  if (res.statusCode !== 200 || !body.access_token) throw new Error(`the sandbox refused the token request (${res.statusCode})`);
  return body.access_token;
}
