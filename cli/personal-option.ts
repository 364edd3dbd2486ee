import { ANY_WORKFLOW, personalInputPath } from '../compiler/plan/detect-personal-data.js';
import { UsageError } from './cli-error.js';

export const personalHelp = `  --personal <[id:]path> an input (email, address.city, /address/city) or step output
                         ($steps.<id>.outputs.<name>) that is personal data (repeatable;
                         "id:" names the workflow): it travels sealed, as with the inputs
                         schema's x-arazzo-sfn-personal: true`;

/**
 * `--personal` entries by workflow id (`*` without one), joined with the demo's declarations
 * under --sandbox. Undefined when there are none.
 */
export function personalOption(entries: readonly string[], demo: Readonly<Record<string, readonly string[]>> | undefined): Record<string, string[]> | undefined {
  const byWorkflow: Record<string, string[]> = {};
  for (const [id, list] of Object.entries(demo ?? {})) byWorkflow[id] = [...list];
  for (const entry of entries) {
    // `id:path`: a workflow id has no `$`, `/` or `.` before its colon; a bare path or expression has no colon there.
    const m = /^([A-Za-z0-9_-]+):(.+)$/.exec(entry);
    const [id, path] = m ? [m[1], m[2]] : [ANY_WORKFLOW, entry];
    if (!path.startsWith('$steps.') && personalInputPath(path) === undefined) throw new UsageError(`--personal ${entry}: expected an input path (email, address.city, /address/city) or $steps.<id>.outputs.<name>`);
    if (id === ANY_WORKFLOW && path.startsWith('$steps.')) throw new UsageError(`--personal ${entry}: name the workflow of a step output, as <workflowId>:${path}`);
    (byWorkflow[id] ??= []).push(path);
  }
  return Object.keys(byWorkflow).length ? byWorkflow : undefined;
}

/**
 * A `--personal` entry without a workflow id that no workflow has as an input is a typo that
 * would leave the value in plain: refused, naming `where` (the document, or the endpoint's folder).
 */
export function checkPersonalMatched(personalData: Readonly<Record<string, readonly string[]>> | undefined, personalInputsOfEach: readonly (readonly string[] | undefined)[], where: string): void {
  for (const entry of personalData?.[ANY_WORKFLOW] ?? []) {
    const path = personalInputPath(entry);
    if (!personalInputsOfEach.some((inputs) => path !== undefined && inputs?.includes(path))) {
      throw new UsageError(`--personal ${entry}: no workflow of ${where} has such an input (name a step output as <workflowId>:$steps.<id>.outputs.<name>)`);
    }
  }
}
