import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../compiler/index.js';

const ROOT = join(import.meta.dirname, '../..');

async function compileText(doc: string) {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-plan-'));
  const file = join(dir, 'doc.arazzo.yml');
  await writeFile(file, doc.replaceAll('OPENAPI', join(ROOT, 'workflows/openapi/fintecture-customers-api-openapi.yml')));
  const result = await compileFile(file);
  return { result, errors: result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).replace(file, 'doc.arazzo.yml')) };
}

const header = `arazzo: 1.0.1
info: { title: t, version: '1' }
sourceDescriptions:
- { name: api, url: OPENAPI, type: openapi }
workflows:
`;

describe('plan checks', () => {
  it('an action criterion that reads a later step is reported at the expression', async () => {
    const { errors } = await compileText(`${header}- workflowId: w
  steps:
  - stepId: first
    operationId: listAllCustomers
    onSuccess:
    - name: early
      type: end
      criteria:
      - condition: $steps.later.outputs.count == 1
  - stepId: later
    operationId: listAllCustomers
    outputs:
      count: $response.body#/meta/total
`);
    expect(errors).toEqual([
      'doc.arazzo.yml:14:20: error ASFN1010 step "first" reads $steps.later in an action criterion, which cannot have run before it [runtime-expression]',
    ]);
  });

  it("an inputs schema keeps references into its own $defs and inlines #/components/inputs", async () => {
    const { result, errors } = await compileText(`${header}- workflowId: w
  inputs:
    type: object
    properties:
      page: { $ref: '#/$defs/count' }
      who: { $ref: '#/components/inputs/who' }
    $defs:
      count: { type: integer, minimum: 1 }
  steps:
  - stepId: list
    operationId: listAllCustomers
components:
  inputs:
    who: { type: string }
`);
    expect(errors).toEqual([]);
    expect(result.workflows[0].plan.inputsSchema).toEqual({
      type: 'object',
      properties: { page: { $ref: '#/$defs/count' }, who: { type: 'string' } },
      $defs: { count: { type: 'integer', minimum: 1 } },
    });
  });
});
