/**
 * Credentials must never travel in execution input, state or history. These rules decide
 * which workflow inputs are credentials and which step outputs must be sealed.
 */

import { isCredentialName } from '../../core/credential-names.js';

export { isCredentialName };

export interface CredentialInput {
  readonly name: string;
  /** Why it is a credential: shown by lint so users can see and override the decision. */
  readonly reason: 'schema' | 'extension' | 'option' | 'name';
}

export function detectCredentialInputs(
  inputsSchema: Record<string, any> | undefined,
  workflowExtension: unknown,
  fromOptions: readonly string[],
  byName: boolean,
): CredentialInput[] {
  const found = new Map<string, CredentialInput>();
  const properties: Record<string, any> = inputsSchema?.properties ?? {};
  for (const name of fromOptions) found.set(name, { name, reason: 'option' });
  if (Array.isArray(workflowExtension)) {
    for (const name of workflowExtension) if (typeof name === 'string' && !found.has(name)) found.set(name, { name, reason: 'extension' });
  }
  for (const [name, schema] of Object.entries(properties)) {
    if (found.has(name)) continue;
    if (schema?.format === 'password' || schema?.writeOnly === true || schema?.['x-arazzo-sfn-credential'] === true) {
      found.set(name, { name, reason: 'schema' });
    } else if (byName && schema?.['x-arazzo-sfn-credential'] !== false && isCredentialName(name)) {
      found.set(name, { name, reason: 'name' });
    }
  }
  return [...found.values()];
}

/** An output is sealed when its name or the last segment of the pointer it reads names a credential. */
export function isSealedOutput(outputName: string, expression: string, byName: boolean): boolean {
  if (!byName) return false;
  const pointerTail = expression.split('#')[1]?.split('/').pop() ?? '';
  return isCredentialName(outputName) || (pointerTail !== '' && isCredentialName(pointerTail));
}
