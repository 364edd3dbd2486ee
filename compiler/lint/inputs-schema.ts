import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../diagnostics/index.js';
import type { BoundDocument } from '../plan/bind-document.js';
import { diagnosticAt } from '../load/parse-yaml-source.js';

// Unknown formats (OpenAPI's int64, ...) are ignored at run time too; ajv would log each one to the console.
const newAjv = () => new Ajv2020({ allErrors: true, strict: false, logger: false });
let shared: Ajv2020 | undefined;
const sharedAjv = () => (shared ??= newAjv());

/** The most specific problem: ajv lists the failed `anyOf` branches of the meta-schema after the leaf. */
function firstProblem(errors: readonly ErrorObject[]): ErrorObject {
  return [...errors].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)[0];
}

/**
 * Each workflow's `inputs` must be a JSON Schema 2020-12 the runtime can compile (the
 * `Validate inputs` state runs it with ajv): checked against the meta-schema, then compiled
 * with the document's `components.inputs` in reach of `#/components/inputs/<name>`.
 */
export function checkInputsSchemas({ loaded }: BoundDocument, diagnostics: Diagnostic[]): void {
  const { document, source } = loaded;
  for (const [w, workflow] of document.workflows.entries()) {
    if (workflow.inputs === undefined) continue;
    const pointer = `/workflows/${w}/inputs`;
    // One Ajv for every compile (creating one costs milliseconds); a schema with its own $id gets a fresh one, as Ajv refuses an id twice.
    const ajv = (workflow.inputs as { $id?: unknown }).$id === undefined ? sharedAjv() : newAjv();
    const schema = document.components?.inputs ? { ...workflow.inputs, components: { inputs: document.components.inputs } } : workflow.inputs;
    if (!ajv.validateSchema(schema)) {
      const problem = firstProblem(ajv.errors ?? []);
      const where = problem.instancePath ? `${problem.instancePath.slice(1).replace(/\//g, '.')} ` : '';
      const allowed = (problem.params as { allowedValues?: unknown[] }).allowedValues;
      diagnostics.push(diagnosticAt(source, pointer + problem.instancePath, 'inputsSchema', `inputs of workflow "${workflow.workflowId}" is not a JSON Schema: ${where}${problem.message ?? 'is invalid'}${allowed ? ` (${allowed.join(', ')})` : ''}`));
      continue;
    }
    try {
      ajv.compile(schema);
    } catch (error) {
      // An unknown #/components/inputs reference or plain-name fragment is the planner's to report (plan/resolve-inputs-schema.ts), at the $ref.
      if (/can't resolve reference #(\/components\/inputs\/|[A-Za-z_][-A-Za-z0-9._]*\s)/.test(`${(error as Error).message} `)) continue;
      diagnostics.push(diagnosticAt(source, pointer, 'inputsSchema', `inputs of workflow "${workflow.workflowId}" cannot be compiled: ${(error as Error).message}`));
      continue;
    }
    const type = (workflow.inputs as { type?: unknown }).type;
    if (type !== undefined && type !== 'object' && !(Array.isArray(type) && type.includes('object'))) {
      diagnostics.push(diagnosticAt(source, `${pointer}/type`, 'inputsSchema', `inputs of workflow "${workflow.workflowId}" must describe an object (the execution input is an object of named inputs), not ${JSON.stringify(type)}`));
    }
  }
}
