import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileFile, describeStatus, hasErrors, statusOf, type LoadOptions } from '../../compiler/index.js';
import { ExitCodes, UsageError } from '../cli-error.js';
import { loadFlagsHelp } from '../load-flags.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { severityHelp, severityOptions } from '../severity-option.js';

export const compileHelp = `Usage: arazzo-sfn compile <file.arazzo.yml> [--workflow <id>] [--out <dir>] [--severity <CHECK=level>]

Compiles each workflow to an Amazon States Language definition (JSONPath) and its plan.
Without --out, prints {"<workflowId>": {"definition": ..., "plan": ...}} as JSON on stdout.
With --out, writes <dir>/<workflowId>.asl.json and <dir>/<workflowId>.plan.json.
Diagnostics go to stderr. Exit 2 on compile errors; with --workflow, only on errors that stop
that workflow (its own, the document's, or those of a workflow it needs): a sibling's errors are
printed and do not stop it.

${loadFlagsHelp}

Response checks:
${severityHelp}`;

export async function runCompile(
  file: string,
  opts: { workflow?: string; out?: string; severity?: readonly string[] } & LoadOptions,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  const result = await compileFile(file, { maxFileBytes: opts.maxFileBytes, maxTotalBytes: opts.maxTotalBytes, loadTimeoutMs: opts.loadTimeoutMs, ...severityOptions(opts.severity) });
  printDiagnostics(result, stderr);
  if (opts.workflow !== undefined && result.status.length) {
    const status = statusOf(result.status, opts.workflow);
    if (!status) throw new UsageError(`no workflow "${opts.workflow}" in ${file} (has: ${result.status.filter((s) => !s.source).map((s) => s.workflowId).join(', ')})`);
    if (!status.compiled) {
      stderr.write(`${describeStatus(status)}\n`);
      return ExitCodes.usage;
    }
  } else if (hasErrors(result.diagnostics)) return ExitCodes.usage;
  const selected = result.workflows.filter((w) => !opts.workflow || w.plan.workflowId === opts.workflow);
  if (opts.out) {
    await mkdir(opts.out, { recursive: true });
    for (const w of selected) {
      await writeFile(join(opts.out, `${w.plan.workflowId}.asl.json`), JSON.stringify(w.definition, null, 2) + '\n');
      await writeFile(join(opts.out, `${w.plan.workflowId}.plan.json`), JSON.stringify(w.plan, null, 2) + '\n');
      stderr.write(`wrote ${join(opts.out, `${w.plan.workflowId}.asl.json`)} (${Object.keys(w.definition.States).length} states)\n`);
    }
  } else {
    stdout.write(JSON.stringify(Object.fromEntries(selected.map((w) => [w.plan.workflowId, { definition: w.definition, plan: w.plan }])), null, 2) + '\n');
  }
  return ExitCodes.ok;
}
