/**
 * Personal data (names, e-mail, date of birth, IBAN, phone, address) must not be readable in the
 * execution history. These rules decide which workflow inputs are personal, and which step
 * outputs carry personal data: both travel sealed, as credential outputs do, and are opened only
 * inside the handler of the step that sends them.
 */

import { marksBelow } from './schema-marks.js';
import { joinCredentialPath, splitCredentialPath } from '../../core/credential-names.js';
import type { AnyStepPlan } from '../../core/plan.js';

/** The schema and step extension that declare personal data. */
export const PERSONAL_EXTENSION = 'x-arazzo-sfn-personal';

export interface PersonalInput {
  /** Its path, as credential inputs are named: `email`, or `address.city` for a member of an object input. */
  readonly name: string;
  readonly reason: 'schema' | 'option';
  /** JSON pointer of its schema below the inputs schema, when the schema declares it. */
  readonly schemaPointer?: string;
}

export interface PersonalProblem {
  /** JSON pointer below the inputs schema (`/properties/email/x-arazzo-sfn-personal`), or undefined for an option. */
  readonly schemaPointer?: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

const MAX_DEPTH = 32;
const escapePointer = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');

/** The `personalData` key whose entries apply to every workflow that declares such an input. */
export const ANY_WORKFLOW = '*';

/** Whether `path` names a property the schema declares (through `properties` at each level). */
export function schemaDeclares(schema: Record<string, any> | undefined, path: string): boolean {
  let node = schema;
  for (const name of splitCredentialPath(path)) {
    node = node?.properties?.[name];
    if (!node || typeof node !== 'object') return false;
  }
  return true;
}

/**
 * An input path from configuration: `email`, `address.city`, `$inputs.email`, or a JSON pointer
 * into the inputs (`/address/city`). Undefined for anything else (a step output is not an input).
 */
export function personalInputPath(entry: string): string | undefined {
  if (entry.startsWith('$inputs.')) return entry.slice('$inputs.'.length) || undefined;
  if (entry.startsWith('/')) {
    const names = entry.slice(1).split('/').map((n) => n.replace(/~1/g, '/').replace(/~0/g, '~'));
    return names.every((n) => n !== '') ? joinCredentialPath(names) : undefined;
  }
  if (entry.startsWith('$')) return undefined;
  return entry || undefined;
}

/** A step output from configuration: `$steps.<stepId>.outputs.<name>`. */
export function personalStepOutput(entry: string): { stepId: string; name: string } | undefined {
  const m = /^\$steps\.([^.]+)\.outputs\.([A-Za-z0-9_.-]+)$/.exec(entry);
  return m ? { stepId: m[1], name: m[2] } : undefined;
}

/**
 * The personal inputs of a workflow, at any depth of its inputs schema: a property marked
 * `x-arazzo-sfn-personal: true` (an object or array so marked is sealed as a whole), plus those
 * configuration names (a document kept verbatim, such as the seeds). `x-arazzo-sfn-personal:
 * false` under a personal object is refused: a member cannot be left out of a value sealed whole.
 */
export function detectPersonalInputs(
  inputsSchema: Record<string, any> | undefined,
  fromOptions: readonly string[],
): { inputs: PersonalInput[]; problems: PersonalProblem[] } {
  const found = new Map<string, PersonalInput>();
  const problems: PersonalProblem[] = [];
  for (const entry of fromOptions) {
    if (personalStepOutput(entry)) continue;
    const path = personalInputPath(entry);
    if (path === undefined) {
      problems.push({ message: `personal data "${entry}" is neither an input path (email, address.city, $inputs.email, /address/city) nor a step output ($steps.<id>.outputs.<name>)`, severity: 'error' });
    } else if (!schemaDeclares(inputsSchema, path)) {
      problems.push({ message: `personal data "${entry}" names no input the inputs schema declares: it is sealed when an execution carries it`, severity: 'warning' });
      found.set(path, { name: path, reason: 'option' });
    } else found.set(path, { name: path, reason: 'option' });
  }
  const visit = (schema: Record<string, any>, names: readonly string[], pointer: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const at of personalMarksBelow(schema, pointer, true, true)) {
      problems.push({
        schemaPointer: at,
        message: `${PERSONAL_EXTENSION} is read only through "properties" (not under items, allOf, anyOf, oneOf, additionalProperties and the like), so this value would reach the execution history unsealed: mark the property that holds it (an array or object so marked is sealed whole)`,
        severity: 'error',
      });
    }
    const properties: Record<string, any> = schema?.properties ?? {};
    for (const [name, child] of Object.entries(properties)) {
      if (child === null || typeof child !== 'object') continue;
      const path = joinCredentialPath([...names, name]);
      const schemaPointer = `${pointer}/properties/${escapePointer(name)}`;
      const mark = child[PERSONAL_EXTENSION];
      if (mark !== undefined && typeof mark !== 'boolean') {
        problems.push({ schemaPointer: `${schemaPointer}/${PERSONAL_EXTENSION}`, message: `${PERSONAL_EXTENSION} must be true or false`, severity: 'error' });
        continue;
      }
      if (mark === true || found.has(path)) {
        found.set(path, found.get(path) ?? { name: path, reason: 'schema', schemaPointer });
        for (const at of personalMarksBelow(child, schemaPointer, false, false)) {
          problems.push({ schemaPointer: at, message: `${PERSONAL_EXTENSION}: false cannot leave a member out of "${path}", which is sealed whole`, severity: 'error' });
        }
        continue;
      }
      visit(child, [...names, name], schemaPointer, depth + 1);
    }
  };
  if (inputsSchema) visit(inputsSchema, [], '', 0);
  return { inputs: [...found.values()], problems };
}

/** `x-arazzo-sfn-personal: <mark>` marks below a schema's keywords (see schema-marks.ts), `properties` left out when asked. */
function personalMarksBelow(schema: Record<string, any>, pointer: string, mark: boolean, skipProperties: boolean): string[] {
  return marksBelow(schema, pointer, (node) => (node[PERSONAL_EXTENSION] === mark ? PERSONAL_EXTENSION : undefined), skipProperties ? ['properties', PERSONAL_EXTENSION] : [PERSONAL_EXTENSION]);
}

/** `$inputs.<name>` (and `$workflows.<id>.inputs.<name>`) and `$steps.<id>.outputs.<name>` an expression reads. */
function readsOf(expression: string): { inputs: string[]; stepOutputs: { stepId: string; name: string }[] } {
  const inputs = [...expression.matchAll(/\$(?:workflows\.[A-Za-z0-9_-]+\.)?inputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]);
  const stepOutputs = [...expression.matchAll(/\$steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)].map((m) => ({ stepId: m[1], name: m[2] }));
  return { inputs, stepOutputs };
}

/**
 * The step outputs that carry personal data: those declared (the step's `x-arazzo-sfn-personal`
 * list of output names, or configuration `$steps.<id>.outputs.<name>`), and every output whose
 * expression reads a personal input or a personal output of a step (to a fixpoint, since a loop
 * may read a later step's output). The handler also seals, at run time, any output whose value
 * carries a personal value it opened (a response that echoes the e-mail it was sent).
 */
export function personalOutputsOf(
  steps: readonly AnyStepPlan[],
  personalInputs: readonly string[],
  declared: ReadonlyMap<string, ReadonlySet<string>>,
): Map<string, Set<string>> {
  const personalTop = new Set(personalInputs.map((p) => splitCredentialPath(p)[0]));
  const out = new Map<string, Set<string>>(steps.map((s) => [s.stepId, new Set(declared.get(s.stepId) ?? [])]));
  for (let changed = true, rounds = 0; changed && rounds <= steps.length + 1; rounds++) {
    changed = false;
    for (const step of steps) {
      const own = out.get(step.stepId)!;
      for (const [name, expression] of Object.entries(step.outputs)) {
        if (own.has(name)) continue;
        // A Selector Object reads what its context reads.
        const reads = readsOf(typeof expression === 'string' ? expression : expression.context);
        if (reads.inputs.some((i) => personalTop.has(i)) || reads.stepOutputs.some((o) => out.get(o.stepId)?.has(o.name))) {
          own.add(name);
          changed = true;
        }
      }
    }
  }
  return out;
}
