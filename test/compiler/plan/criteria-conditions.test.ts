/**
 * Compile-time checks of regex, jsonpath and xpath conditions that embed runtime expressions, and
 * of Goessner JSONPath filters (Arazzo 1.1 § Criterion Object): each at its file:line:col.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../../compiler/index.js';
import type { StepPlan } from '../../../core/plan.js';

const ROOT = join(import.meta.dirname, '../../..');
const OPENAPI = join(ROOT, 'test/fixtures/oai-examples/invoices.openapi.yaml');

async function compileCriteria(criteria: string) {
  const dir = await mkdtemp(join(tmpdir(), 'conditions-'));
  const file = join(dir, 'doc.arazzo.yml');
  await writeFile(
    file,
    `arazzo: 1.1.0
info: { title: t, version: '1' }
sourceDescriptions:
- { name: inv, url: ${OPENAPI}, type: openapi }
workflows:
- workflowId: w
  inputs: { type: object, properties: { status: { type: string }, minLines: { type: number } } }
  steps:
  - stepId: get
    operationId: fetchXml
    parameters: [{ name: invoiceId, in: path, value: i }]
    successCriteria:
${criteria}`,
  );
  const result = await compileFile(file);
  const lines = result.diagnostics.map((d) => formatDiagnostic(d).replace(file, 'doc.arazzo.yml'));
  return { result, errors: lines.filter((l) => l.includes(' error ')), warnings: lines.filter((l) => l.includes(' warning ') && !l.includes('ASFN2016')) };
}

describe('embedded runtime expressions in conditions', () => {
  it('compile the specification\'s three forms, and the plan keeps them for the runtime to substitute', async () => {
    const { errors, warnings, result } = await compileCriteria(`    - { context: $response.body, type: xpath, condition: 'count(/Invoice/Lines/Line) >= {$inputs.minLines}' }
    - { context: $response.body, type: xpath, condition: "/Invoice/Header/Status = '{$inputs.status}'" }
    - { context: $response.body, type: regex, condition: '^<({$inputs.status})' }
    - { context: $response.body, type: jsonpath, condition: '$[?(@.status == "{$inputs.status}")]' }
`);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    const step = result.workflows[0].plan.steps[0] as StepPlan;
    expect(step.successCriteria.map((c) => c.condition)).toContain('count(/Invoice/Lines/Line) >= {$inputs.minLines}');
  });

  it('ASFN2140: a simple condition whose quoted literal holds {$...} compares that text as written (a warning: the literal is valid)', async () => {
    // As frankkilcommins/arazzo-examples' sqs/ticket-escalation-workflow writes it; unquoted, the expression is compared.
    const { errors, warnings } = await compileCriteria(`    - condition: $statusCode == "{$inputs.status}"
    - condition: $statusCode == $inputs.status
    - condition: $statusCode == 'x{y}'
`);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      'doc.arazzo.yml:13:18: warning ASFN2140 simple criterion "$statusCode == "{$inputs.status}"" compares the text "{$inputs.status}" as written: {$...} is substituted only in regex, jsonpath and xpath conditions; to compare with the value, write the runtime expression unquoted [simple-condition-embedded-literal]',
    ]);
  });

  it('ASFN1135: an embedded expression that does not parse, at the condition', async () => {
    const { errors } = await compileCriteria(`    - { context: $response.body, type: xpath, condition: '/a[b = {$inputs.}]' }
`);
    expect(errors).toEqual([expect.stringMatching(/^doc\.arazzo\.yml:13:58: error ASFN1135 xpath criterion "\/a\[b = \{\$inputs\.\}\]": an embedded runtime expression does not parse: .* \[condition-embedded-expression\]$/)]);
  });

  it('report a place where no value can stand (a member name), with the stand-in reading named', async () => {
    const { errors } = await compileCriteria(`    - { context: $response.body, type: jsonpath, condition: '$.{$inputs.status}' }
`);
    expect(errors).toEqual([expect.stringMatching(/error ASFN1013 jsonpath criterion .*each embedded \{\$\.\.\.\} read as the value it stands for/)]);
  });

  it('report an input an embedded expression reads that the workflow does not declare', async () => {
    const { warnings } = await compileCriteria(`    - { context: $response.body, type: regex, condition: '^{$inputs.undeclared}' }
`);
    expect(warnings.join('\n')).toMatch(/undeclared/);
  });
});

describe('Goessner JSONPath filters in criteria', () => {
  const goessner = (condition: string) => `    - context: $response.body
      type: { type: jsonpath, version: draft-goessner-dispatch-jsonpath-00 }
      condition: '${condition}'
`;

  it('ASFN2135: a filter read as the JavaScript it is, naming the standard form; the plan carries the version', async () => {
    const { errors, warnings, result } = await compileCriteria(goessner('$.lines[?(@.qty > 0)]'));
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^doc\.arazzo\.yml:15:18: warning ASFN2135 condition .* is Goessner JSONPath: .*the standard form is RFC 9535 JSONPath.* \[jsonpath-goessner-filter\]$/)]);
    expect((result.workflows[0].plan.steps[0] as StepPlan).successCriteria[0]).toMatchObject({ version: 'draft-goessner-dispatch-jsonpath-00' });
  });

  it('ASFN1136: script beyond comparisons, refused at the condition', async () => {
    const { errors } = await compileCriteria(goessner('$.lines[?(@.qty * 2 > 0)]'));
    expect(errors).toEqual([expect.stringMatching(/^doc\.arazzo\.yml:15:18: error ASFN1136 jsonpath criterion .*"\*" starts script beyond that.* \[jsonpath-goessner-script\]$/)]);
  });
});

describe('the bounds of evaluation (Arazzo 1.1 § Criterion Object, "Evaluation Errors")', () => {
  const CRITERIA = `    - { condition: $statusCode == 200 }
    - { context: $response.body, type: xpath, condition: '/Invoice' }
    - { context: $response.body, type: regex, condition: '^<' }
    - { context: $response.body, type: jsonpath, condition: '$.a' }
`;

  it('are evaluation errors for the regex and xpath criteria of a 1.1 document, which alone can hit one', async () => {
    const { errors, result } = await compileCriteria(CRITERIA);
    expect(errors).toEqual([]);
    const step = result.workflows[0].plan.steps[0] as StepPlan;
    expect(step.successCriteria.map((c) => [c.type, c.unmetPastBounds])).toEqual([
      ['simple', undefined],
      ['xpath', true],
      ['regex', true],
      ['jsonpath', undefined],
    ]);
  });

  it('stay Arazzo.Expression errors in a 1.0.x document, whose text has no such section', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conditions-'));
    const file = join(dir, 'doc.arazzo.yml');
    await writeFile(
      file,
      `arazzo: 1.0.1
info: { title: t, version: '1' }
sourceDescriptions:
- { name: inv, url: ${OPENAPI}, type: openapi }
workflows:
- workflowId: w
  steps:
  - stepId: get
    operationId: fetchXml
    parameters: [{ name: invoiceId, in: path, value: i }]
    successCriteria:
${CRITERIA}`,
    );
    const result = await compileFile(file);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const step = result.workflows[0].plan.steps[0] as StepPlan;
    expect(step.successCriteria.every((c) => c.unmetPastBounds === undefined)).toBe(true);
  });
});
