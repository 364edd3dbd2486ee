/**
 * Credentials must never travel in execution input, state or history. These rules decide
 * which workflow inputs are credentials and which step outputs must be sealed.
 */

import { isCredentialName, joinCredentialPath } from '../../core/credential-names.js';
import { marksBelow } from './schema-marks.js';

export { isCredentialName };

export interface CredentialInput {
  /** The input's name, or its path for a member of an object input (`auth.accessToken`, see joinCredentialPath). */
  readonly name: string;
  /** Why it is a credential: shown by lint so users can see and override the decision. */
  readonly reason: 'schema' | 'extension' | 'option' | 'name';
  /** JSON pointer of its schema below the inputs schema (`/properties/auth/properties/accessToken`), when the schema declares it. */
  readonly schemaPointer?: string;
}

/** Object inputs deeper than this are not searched (a schema is not that deep in practice). */
const MAX_DEPTH = 32;

const isObjectSchema = (schema: Record<string, any>) =>
  schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object')) || (schema.type === undefined && typeof schema.properties === 'object');

/** The keyword that marks a subschema as a credential, if one does. */
const credentialMark = (node: Record<string, unknown>): string | undefined =>
  node.format === 'password' ? 'format' : node.writeOnly === true ? 'writeOnly' : node['x-arazzo-sfn-credential'] === true ? 'x-arazzo-sfn-credential' : undefined;

const escapePointer = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The credential inputs of a workflow, at any depth of its inputs schema: a property marked
 * `format: password`, `writeOnly: true` or `x-arazzo-sfn-credential: true` is one (an object so
 * marked is one as a whole); else, when `byName`, a property whose name looks like a credential
 * and whose schema is not an object. An object input is never replaced whole because of its
 * name: its members are examined instead, so `clientCredentials: { clientId, clientSecret }`
 * gives two credentials and keeps its other fields. `x-arazzo-sfn-credential: false` excludes
 * a property and everything under it. A mark read nowhere (under array items, a combinator,
 * additional properties) is pushed on `unread` as its schema pointer: no input path names what it
 * marks, so the value would travel unsealed.
 */
export function detectCredentialInputs(
  inputsSchema: Record<string, any> | undefined,
  workflowExtension: unknown,
  fromOptions: readonly string[],
  byName: boolean,
  unread: string[] = [],
): CredentialInput[] {
  const found = new Map<string, CredentialInput>();
  for (const name of fromOptions) found.set(name, { name, reason: 'option' });
  if (Array.isArray(workflowExtension)) {
    for (const name of workflowExtension) if (typeof name === 'string' && !found.has(name)) found.set(name, { name, reason: 'extension' });
  }
  const visit = (schema: Record<string, any>, names: readonly string[], pointer: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    unread.push(...marksBelow(schema, pointer, credentialMark, ['properties']));
    const properties: Record<string, any> = schema?.properties ?? {};
    for (const [name, child] of Object.entries(properties)) {
      if (child === null || typeof child !== 'object') continue;
      const path = joinCredentialPath([...names, name]);
      const schemaPointer = `${pointer}/properties/${escapePointer(name)}`;
      // Declared by an option or the workflow extension: the whole value is the credential.
      if (found.has(path)) continue;
      if (child['x-arazzo-sfn-credential'] === false) continue;
      if (child.format === 'password' || child.writeOnly === true || child['x-arazzo-sfn-credential'] === true) {
        found.set(path, { name: path, reason: 'schema', schemaPointer });
      } else if (isObjectSchema(child)) {
        visit(child, [...names, name], schemaPointer, depth + 1);
      } else if (byName && isCredentialName(name)) {
        found.set(path, { name: path, reason: 'name', schemaPointer });
      } else {
        unread.push(...marksBelow(child, schemaPointer, credentialMark, []));
      }
    }
  };
  if (inputsSchema) visit(inputsSchema, [], '', 0);
  return [...found.values()];
}

/** An output is sealed when its name or the last segment of the pointer it reads names a credential. */
export function isSealedOutput(outputName: string, expression: string, byName: boolean): boolean {
  if (!byName) return false;
  const pointerTail = expression.split('#')[1]?.split('/').pop() ?? '';
  return isCredentialName(outputName) || (pointerTail !== '' && isCredentialName(pointerTail));
}
