/**
 * Arazzo 1.1.0 § Resolving URI Fragments: "For JSON Schema objects used in workflow inputs and
 * components.inputs, references via $ref MUST support both JSON Pointer fragments and plain-name
 * fragments (defined by $anchor)".
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../../compiler/index.js';
import { PETS_OPENAPI } from '../../constructs/support/index.js';
import { compileDoc, getPet, head, workflow } from './support.js';

const COMPONENTS = `components:
  inputs:
    pet:
      type: object
      properties:
        name: { type: string, maxLength: 20 }
        owner: { $ref: '#person' }
      $defs:
        person: { $anchor: person, type: object, required: [email], properties: { email: { type: string } } }
`;

async function inputsSchemaOf(inputs: string): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'inputs-refs-'));
  try {
    await writeFile(join(dir, 'openapi.yml'), PETS_OPENAPI);
    const file = join(dir, 'doc.arazzo.yml');
    await writeFile(file, `${head()}${workflow(getPet(), inputs)}${COMPONENTS}`);
    const result = await compileFile(file);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return result.workflows[0].plan.inputsSchema;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('inputs $ref fragments (docs/spec-conformance-1.1.md)', () => {
  it('a JSON Pointer into a component, past its name, is followed', async () => {
    const schema = await inputsSchemaOf("    inputs:\n      type: object\n      properties:\n        petName: { $ref: '#/components/inputs/pet/properties/name' }\n");
    expect(schema).toEqual({ type: 'object', properties: { petName: { type: 'string', maxLength: 20 } } });
  });

  it('a plain-name fragment names the subschema whose $anchor it is, in components.inputs or in the schema itself', async () => {
    const viaComponent = await inputsSchemaOf("    inputs:\n      type: object\n      properties:\n        contact: { $ref: '#person' }\n");
    expect(viaComponent).toEqual({ type: 'object', properties: { contact: { type: 'object', required: ['email'], properties: { email: { type: 'string' } } } } });
    const inline = await inputsSchemaOf(
      "    inputs:\n      type: object\n      properties:\n        id: { $ref: '#petId' }\n      $defs:\n        petId: { $anchor: petId, type: string, pattern: '^p-' }\n",
    );
    expect((inline as { properties: unknown }).properties).toEqual({ id: { type: 'string', pattern: '^p-' } });
  });

  it('a component that refers to an anchor is inlined whole', async () => {
    const schema = (await inputsSchemaOf("    inputs:\n      $ref: '#/components/inputs/pet'\n")) as { properties: { owner: unknown } };
    expect(schema.properties.owner).toEqual({ type: 'object', required: ['email'], properties: { email: { type: 'string' } } });
  });

  it('a fragment that names nothing is an error that says which', async () => {
    const { errors } = await compileDoc(`${head()}${workflow(getPet(), "    inputs:\n      type: object\n      properties:\n        a: { $ref: '#nobody' }\n        b: { $ref: '#/components/inputs/pet/properties/nope' }\n")}${COMPONENTS}`);
    expect(errors).toEqual([
      expect.stringMatching(/error ASFN1016 inputs \$ref "#nobody" names no \$anchor "nobody" in the workflow's inputs schema or components\.inputs/),
      expect.stringMatching(/error ASFN1016 inputs \$ref "#\/components\/inputs\/pet\/properties\/nope" must name an entry of components\.inputs \(pet\), a subschema of one, or an \$anchor/),
    ]);
  });
});
