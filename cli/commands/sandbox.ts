import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { startSandboxes, type SandboxSet } from '../../sandbox/index.js';
import { ExitCodes, UsageError } from '../cli-error.js';

export const sandboxHelp = `Usage: arazzo-sfn sandbox [--port <n>] [--host <addr>]
                        [--signature-key <keyId>=<public.pem>]... [--no-verify-signatures]

Serves the provider simulators until interrupted (Ctrl-C): Fintecture (Customers, OAuth, PIS),
Mbanq Cloud, connectFi, and the APIs of the OAI Arazzo examples. Point a run or another Arazzo
runner at them with --server <source>=<url>.

Options:
  --port <n>    Fintecture listens on n, Mbanq on n+1, connectFi on n+2 (default: free ports);
                the OAI example APIs always take free ports
  --host <addr> address to listen on (default 127.0.0.1)
  --signature-key <keyId>=<public.pem>
                registers a public key (PEM) for a keyId, as an application registers
                it with Fintecture: the PIS API verifies request signatures, answering an
                unsigned or invalid payment request 401 invalid_signature (repeatable)
  --no-verify-signatures
                for a runner that cannot sign: PIS signatures are not checked, and the
                Signature, Digest and Date headers are not required (a sent Digest is)

Sandbox credentials: Fintecture client sandbox-app-id / sandbox-app-secret; connectFi user
sandbox_user / sandbox-password; Mbanq as sandbox/mbanq/README.md lists.`;

export interface SandboxCommandOptions {
  readonly port?: string;
  readonly host?: string;
  /** `<keyId>=<path of a PEM public key>` entries. */
  readonly 'signature-key'?: readonly string[];
  /** false: PIS signatures are not verified. @default true */
  readonly 'verify-signatures'?: boolean;
}

/** `--signature-key keyId=file` pairs as the simulator takes them; a bad pair or file is one line, exit 2. */
function readSignatureKeys(entries: readonly string[]): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at < 1 || at === entry.length - 1) throw new UsageError(`--signature-key expects <keyId>=<public key PEM file>, got "${entry}"`);
    const [keyId, file] = [entry.slice(0, at), entry.slice(at + 1)];
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
      createPublicKey(pem);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`--signature-key ${keyId}: ${file} ${code?.startsWith('E') && !code.startsWith('ERR_') ? `cannot be read (${code})` : 'is not a PEM public key'}`);
    }
    keys[keyId] = pem;
  }
  return keys;
}

/** Starts the simulators, prints where each listens, and serves until `until` settles (SIGINT/SIGTERM by default). */
export async function runSandbox(opts: SandboxCommandOptions, out: NodeJS.WritableStream, until?: Promise<unknown>): Promise<number> {
  let port: number | undefined;
  if (opts.port !== undefined) {
    if (!/^\d+$/.test(opts.port) || Number(opts.port) < 1 || Number(opts.port) > 65_533) throw new UsageError(`--port expects a port number from 1 to 65533, got "${opts.port}"`);
    port = Number(opts.port);
  }
  const host = opts.host ?? '127.0.0.1';
  const verifySignatures = opts['verify-signatures'] ?? true;
  const signatureKeys = readSignatureKeys(opts['signature-key'] ?? []);
  let sandboxes: SandboxSet;
  try {
    sandboxes = await startSandboxes({
      host,
      fintecture: { ...(port !== undefined ? { port } : {}), signatureKeys, verifySignatures },
      ...(port !== undefined ? { mbanq: { port: port + 1 }, connectfi: { port: port + 2 } } : {}),
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
      verifySignatures
        ? `  PIS requests must be signed (keys registered for: ${Object.keys(signatureKeys).join(', ') || 'none; add --signature-key <keyId>=<public.pem>'})`
        : '  PIS signatures are not verified (--no-verify-signatures)',
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
