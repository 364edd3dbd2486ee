import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { invalidInputs } from '../../core/errors.js';
import { STARTED_BY_KEY, type ExecutionState, type WorkflowPlan } from '../../core/plan.js';
import { getAtCredentialPath, splitCredentialPath } from '../../core/credential-names.js';
import { inputsFromEvent } from '../../core/event-input.js';
import { isSealed, parseSecretReference } from './secrets/index.js';

/** The key Step Functions reads to link a nested execution to its parent in the console; not a workflow input. */
export { STARTED_BY_KEY };

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

export const OPENAPI_ANNOTATION_FORMATS = ['password', 'int32', 'int64', 'float', 'double', 'byte', 'binary'] as const;

/** Inputs schemas are compiled once per plan and reused across warm invocations. */
const compiled = new WeakMap<WorkflowPlan, ValidateFunction>();

function validatorFor(plan: WorkflowPlan): ValidateFunction {
  const cached = compiled.get(plan);
  if (cached) return cached;
  {
    // useDefaults: an input the schema gives a `default` is filled in, as a reader of the schema expects.
    const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true });
    addFormats(ajv);
    // OpenAPI's format names that constrain nothing JSON Schema can check; unknown, ajv would warn on every cold start.
    for (const name of OPENAPI_ANNOTATION_FORMATS) ajv.addFormat(name, true);
    // Credential inputs hold a secret reference, not the value the schema describes.
    const schema = structuredClone(plan.inputsSchema) as Record<string, any>;
    for (const path of plan.credentialInputs) {
      let node: Record<string, any> | undefined = schema;
      const names = splitCredentialPath(path);
      names.slice(0, -1).forEach((name) => (node = node?.properties?.[name]));
      const last = names[names.length - 1];
      if (node?.properties?.[last]) node.properties[last] = { type: 'string' };
    }
    const validate = ajv.compile(schema);
    compiled.set(plan, validate);
    return validate;
  }
}

function describeProblem(e: ErrorObject): string {
  const where = e.instancePath ? `inputs${e.instancePath.replace(/\//g, '.')}` : 'inputs';
  if (e.keyword === 'required') return `${where}: missing required input "${(e.params as { missingProperty: string }).missingProperty}"`;
  if (e.keyword === 'additionalProperties') return `${where}: unexpected input "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  return `${where}: ${e.message}`;
}

/**
 * The first Task of every workflow: checks the execution input before any HTTP call and sets up
 * the execution state. Problems are listed by path and rule only: values are never echoed.
 */
export function validateInputs(plan: WorkflowPlan, input: unknown, executionId?: string): ExecutionState {
  const problems: string[] = [];
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw invalidInputs(`workflow ${plan.workflowId}: the execution input must be a JSON object of workflow inputs`);
  }
  const { [STARTED_BY_KEY]: _startedBy, ...given } = input as Record<string, unknown>;
  // Started by an EventBridge rule: the inputs are picked from the event, those it lacks left out (their defaults apply).
  const picked = inputsFromEvent(given);
  const inputs = picked.inputs;
  problems.push(...picked.problems);
  for (const path of plan.credentialInputs) {
    // A parent workflow may hand a credential over sealed (a token it minted).
    const value = getAtCredentialPath(inputs, path);
    if (value !== undefined && !parseSecretReference(value) && !isSealed(value)) {
      problems.push(`inputs.${splitCredentialPath(path).join('.')}: is a credential, so the execution input must carry a secret reference "secret:<name>" instead of the value`);
    }
  }
  const validate = validatorFor(plan);
  if (!validate(inputs)) problems.push(...(validate.errors ?? []).map(describeProblem));
  if (problems.length) {
    throw invalidInputs(`workflow ${plan.workflowId}: ${problems.length} problem${problems.length > 1 ? 's' : ''} with the inputs: ${problems.join('; ')}`);
  }
  // A workflow that starts nested executions with its inputs merges this into their input, so the console links them to it.
  return { inputs, steps: {}, ...(executionId ? { startedBy: { [STARTED_BY_KEY]: executionId } } : {}) };
}
