import { getAtCredentialPath, setAtCredentialPath } from '../core/credential-names.js';
import type { WorkflowPlan } from '../core/plan.js';
import { InMemorySecretsProvider, parseSecretReference } from '../functions/runtime/secrets/index.js';

/**
 * Moves credential values a user typed (`--input accessToken=...`, or a member of an object
 * input such as `auth.accessToken`) into the local secrets provider and puts a `secret:` reference in their place, so the execution input and history
 * only ever hold the reference.
 */
export function moveCredentialsToSecrets(
  plan: WorkflowPlan,
  inputs: Record<string, unknown>,
  secrets: InMemorySecretsProvider,
  executionName: string,
): Record<string, unknown> {
  let out = { ...inputs };
  for (const path of plan.credentialInputs) {
    const value = getAtCredentialPath(out, path);
    if (value === undefined || parseSecretReference(value)) continue;
    const secretName = `local/${plan.workflowId}/${executionName}/${path}`;
    secrets.set(secretName, typeof value === 'string' ? value : JSON.stringify(value));
    out = setAtCredentialPath(out, path, `secret:${secretName}`);
  }
  return out;
}

/**
 * Parses `k=v` pairs. A value is taken as JSON (number, boolean, object) when it parses as such
 * and the inputs schema does not declare the input a string (`amount=12.50` stays "12.50").
 */
export function parseInputPairs(pairs: readonly string[], inputsSchema?: { properties?: Record<string, { type?: unknown }> }): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--input expects name=value, got "${pair.replace(/=.*/, '=…')}"`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    const declaredString = inputsSchema?.properties?.[key]?.type === 'string';
    if (!declaredString && /^(-?\d+(\.\d+)?|true|false|null|\{.*\}|\[.*\])$/s.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    inputs[key] = value;
  }
  return inputs;
}
