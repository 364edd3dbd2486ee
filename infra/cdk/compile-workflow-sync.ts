import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatDiagnostic } from '../../compiler/diagnostics/index.js';
import type { SynthCompileRequest, SynthCompileResponse } from './synth-compile-protocol.js';

export type SynthCompiled = Extract<SynthCompileResponse, { ok: true }>;

/**
 * Compiles one workflow synchronously by running the compiler in a child process
 * (`compile-main`) on the same Node. From TypeScript sources (tsx, vitest) the child loads them
 * with the tsx loader; from the compiled `dist/` it runs the JavaScript sibling. The child costs
 * about half a second, once per construct; the compiler itself stays asynchronous and unchanged.
 */
export function compileWorkflowSync(request: SynthCompileRequest): SynthCompiled {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  const script = fileURLToPath(new URL(`./compile-main.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  if (!existsSync(script)) throw new Error(`arazzo-sfn: the compiler entry ${script} is missing`);
  const loader = fromSource ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [...loader, script, JSON.stringify(request)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`arazzo-sfn: compiling ${request.file} failed${stderr ? `:\n${stderr}` : ''}`, { cause: err });
  }
  const response = JSON.parse(stdout) as SynthCompileResponse;
  if (!response.ok) {
    const errors = response.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    throw new Error([`arazzo-sfn: ${response.message}`, ...errors].join('\n'));
  }
  return response;
}
