import { startSandboxes, type SandboxSet } from '../../sandbox/index.js';
import { ExitCodes, UsageError } from '../cli-error.js';

export const sandboxHelp = `Usage: arazzo-sfn sandbox [--port <n>] [--host <addr>]

Serves the provider simulators until interrupted (Ctrl-C): Fintecture (Customers, OAuth, PIS),
Mbanq Cloud, connectFi, and the APIs of the OAI Arazzo examples. Point a run or another Arazzo
runner at them with --server <source>=<url>.

Options:
  --port <n>    Fintecture listens on n, Mbanq on n+1, connectFi on n+2 (default: free ports);
                the OAI example APIs always take free ports
  --host <addr> address to listen on (default 127.0.0.1)

Sandbox credentials: Fintecture client sandbox-app-id / sandbox-app-secret; connectFi user
sandbox_user / sandbox-password; Mbanq as sandbox/mbanq/README.md lists.`;

export interface SandboxCommandOptions {
  readonly port?: string;
  readonly host?: string;
}

/** Starts the simulators, prints where each listens, and serves until `until` settles (SIGINT/SIGTERM by default). */
export async function runSandbox(opts: SandboxCommandOptions, out: NodeJS.WritableStream, until?: Promise<unknown>): Promise<number> {
  let port: number | undefined;
  if (opts.port !== undefined) {
    if (!/^\d+$/.test(opts.port) || Number(opts.port) < 1 || Number(opts.port) > 65_533) throw new UsageError(`--port expects a port number from 1 to 65533, got "${opts.port}"`);
    port = Number(opts.port);
  }
  const host = opts.host ?? '127.0.0.1';
  let sandboxes: SandboxSet;
  try {
    sandboxes = await startSandboxes({
      host,
      ...(port !== undefined ? { fintecture: { port }, mbanq: { port: port + 1 }, connectfi: { port: port + 2 } } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') throw new UsageError(`cannot listen on ${host}${port !== undefined ? `:${port}` : ''}: ${e.code}`);
    throw err;
  }
  out.write(
    [
      'arazzo-sfn sandbox: provider simulators on loopback (Ctrl-C to stop)',
      `  fintecture  ${sandboxes.fintecture.url}   (Customers, OAuth, PIS)`,
      `  mbanq       ${sandboxes.mbanq.url}`,
      `  connectfi   ${sandboxes.connectfi.url}`,
      '  the OAI example APIs are served too: arazzo-sfn run <file> --sandbox maps their sources',
      '',
    ].join('\n'),
  );
  const stop = until ?? new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await stop;
  out.write('stopping\n');
  await sandboxes.close();
  return ExitCodes.ok;
}
