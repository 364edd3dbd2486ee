import { readFile, writeFile } from 'node:fs/promises';
import { upgradeArazzo } from '../../compiler/validate/upgrade.js';
import { ExitCodes, UsageError } from '../cli-error.js';

export const upgradeHelp = `Usage: arazzo-sfn upgrade <file.arazzo.yml> [--write]

Rewrites an Arazzo 1.0.x document to 1.1.0 where the meaning is unchanged, keeping its comments
and layout, and lists each change on stderr. A criterion "type: jsonpath" (JSONPath of the draft
1.0.x names) gets the explicit version 1.1 needs to mean the same. An object shaped like a Selector
Object (context, selector, type) in a value would mean something else in 1.1: the document is
refused, naming it. Prints the new document, or with --write replaces the file.
Exit 0 when upgraded, 2 when refused.`;

export async function runUpgrade(file: string, write: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const result = upgradeArazzo(text);
  if (result.text === undefined) {
    for (const refusal of result.refusals) err.write(`${file}#${refusal}\n`);
    return ExitCodes.usage;
  }
  for (const change of result.changes) err.write(`${file}#${change}\n`);
  if (write) await writeFile(file, result.text);
  else out.write(result.text);
  return ExitCodes.ok;
}
