import { compileFile, hasErrors, type LoadOptions, type RemoteSourceOptions } from '../../compiler/index.js';
import { ExitCodes } from '../cli-error.js';
import { loadFlagsHelp } from '../load-flags.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { plain, type Style } from '../style.js';

export const validateHelp = `Usage: arazzo-sfn validate <file.arazzo.yml>... [--max-file-size <size>] [--max-total-size <size>] [--load-timeout <seconds>]

Checks Arazzo documents and the OpenAPI descriptions they name: schema, operation
binding, parameters, runtime expressions, criteria, loops. Prints errors and lint
warnings as file:line:col. Exit 0 when there is no error, 2 otherwise.

${loadFlagsHelp}`;

export async function runValidate(files: readonly string[], out: NodeJS.WritableStream, load: LoadOptions & RemoteSourceOptions = {}, style: Style = plain): Promise<number> {
  let exit: number = ExitCodes.ok;
  for (const file of files) {
    const result = await compileFile(file, load);
    printDiagnostics(result, out, style);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.length - errors;
    out.write(
      `${file}: ${(errors ? style.red : (s: string) => s)(`${errors} error${errors === 1 ? '' : 's'}`)}, ${warnings} warning${warnings === 1 ? '' : 's'}${errors ? '' : `, ${result.workflows.length} workflow(s) ok`}\n`,
    );
    if (hasErrors(result.diagnostics)) exit = ExitCodes.usage;
  }
  return exit;
}
