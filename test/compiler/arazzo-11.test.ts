import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../compiler/index.js';

const ROOT = join(import.meta.dirname, '../..');
const OPENAPI = join(ROOT, 'workflows/openapi/fintecture-customers-api-openapi.yml');

async function compileText(doc: string, name = 'doc.arazzo.yml') {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-11-'));
  const file = join(dir, name);
  await writeFile(file, doc.replaceAll('OPENAPI', OPENAPI));
  const result = await compileFile(file);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).replace(file, 'doc.arazzo.yml'));
  return { dir, result, errors };
}

const header = (version: string) => `arazzo: ${version}
info: { title: t, version: '1' }
sourceDescriptions:
- { name: api, url: OPENAPI, type: openapi }
workflows:
`;

const twoSteps = (dependsOn: string) => `- workflowId: w
  steps:
  - stepId: list
    operationId: listAllCustomers
    outputs:
      total: $response.body#/meta/total
  - stepId: again
    operationId: listAllCustomers${dependsOn}
    parameters:
    - { name: 'page[size]', in: query, value: $steps.list.outputs.total }
`;

describe('Arazzo 1.1 documents', () => {
  it('a 1.1.0 document compiles; step dependsOn in written order keeps the sequential ASL of the same 1.0.1 document', async () => {
    const v10 = await compileText(header('1.0.1') + twoSteps(''));
    const v11 = await compileText(header('1.1.0') + twoSteps('\n    dependsOn: [list]'));
    expect(v10.errors).toEqual([]);
    expect(v11.errors).toEqual([]);
    expect(v11.result.workflows[0].definition).toEqual(v10.result.workflows[0].definition);
  });

  it('a 1.0.x document may not use a field Arazzo 1.1 added', async () => {
    const { errors } = await compileText(header('1.0.1') + twoSteps('\n    dependsOn: [list]\n    timeout: 1000'));
    expect(errors).toEqual([
      'doc.arazzo.yml:15:14: error ASFN1063 step field "timeout" is Arazzo 1.1; this document declares arazzo: 1.0.1 (arazzo-sfn upgrade rewrites it to 1.1.0) [arazzo-version]',
      'doc.arazzo.yml:14:16: error ASFN1063 step field "dependsOn" is Arazzo 1.1; this document declares arazzo: 1.0.1 (arazzo-sfn upgrade rewrites it to 1.1.0) [arazzo-version]',
    ]);
  });

  it('refuses a version it does not know', async () => {
    const { errors } = await compileText(header('1.2.0') + twoSteps(''));
    expect(errors).toEqual(['doc.arazzo.yml:1:9: error ASFN1002 arazzo must be a 1.0.x or 1.1.x version [arazzo-schema]']);
  });

  it('step dependsOn: an unknown step, a cycle (through a $steps read too), and a dependency written after the step', async () => {
    const unknown = await compileText(header('1.1.0') + twoSteps('\n    dependsOn: [lsit]'));
    expect(unknown.errors).toEqual(['doc.arazzo.yml:14:17: error ASFN1056 step "again" depends on unknown step "lsit" (steps: list, again) [step-depends-on]']);

    const cycle = await compileText(`${header('1.1.0')}- workflowId: w
  steps:
  - stepId: list
    operationId: listAllCustomers
    dependsOn: [again]
  - stepId: again
    operationId: listAllCustomers
    parameters:
    - { name: 'page[size]', in: query, value: $steps.list.outputs.total }
`);
    expect(cycle.errors.filter((e) => e.includes('ASFN1057'))).toEqual([
      'doc.arazzo.yml:10:16: error ASFN1057 steps depend on each other in a cycle: list → again → list (by dependsOn or $steps.<id> reads); none of them can run first [step-depends-on-cycle]',
    ]);

    // Steps run by their dependencies: one written after the step that needs it runs first.
    const later = await compileText(`${header('1.1.0')}- workflowId: w
  steps:
  - stepId: first
    operationId: listAllCustomers
    dependsOn: [second]
  - stepId: second
    operationId: listAllCustomers
`);
    expect(later.errors).toEqual([]);
    expect(later.result.workflows[0].plan.schedule).toEqual([{ step: 'second' }, { step: 'first' }]);

    // A workflow whose actions jump runs its steps in the order written: there the dependency must come first.
    const jumps = await compileText(`${header('1.1.0')}- workflowId: w
  steps:
  - stepId: first
    operationId: listAllCustomers
    dependsOn: [second]
    onSuccess:
    - { name: again, type: goto, stepId: second }
  - stepId: second
    operationId: listAllCustomers
`);
    expect(jumps.errors).toEqual([
      'doc.arazzo.yml:10:17: error ASFN1058 step "first" depends on step "second", which does not run before it on every route: this workflow\'s actions jump, so its steps run in the order they are written (docs/parallel-steps.md); move "second" before "first" [step-depends-on-order]',
    ]);
    expect(jumps.result.diagnostics.filter((d) => d.code === 'ASFN2085').map((d) => `${d.code} ${d.message}`)).toEqual([
      'ASFN2085 workflow "w" runs its steps in the order written, not in Parallel states: step "first"\'s onSuccess action "again" goes to step second, and a jump cannot leave a Parallel branch',
    ]);
  });

  it('step dependsOn on a step of another workflow needs that workflow in the workflow dependsOn', async () => {
    const doc = (workflowDependsOn: string) => `${header('1.1.0')}- workflowId: a
  steps:
  - stepId: one
    operationId: listAllCustomers
- workflowId: b${workflowDependsOn}
  steps:
  - stepId: two
    operationId: listAllCustomers
    dependsOn: [$workflows.a.steps.one]
`;
    expect((await compileText(doc(''))).errors).toEqual([
      'doc.arazzo.yml:14:17: error ASFN1056 step "two" depends on $workflows.a.steps.one, but workflow "b" does not depend on a: add it to the workflow\'s dependsOn so that it runs first [step-depends-on]',
    ]);
    expect((await compileText(doc('\n  dependsOn: [a]'))).errors).toEqual([]);
  });

  it('AsyncAPI sources and steps are compiled, not refused: a receive step\'s timeout is its wait, not a step timeout (test/compiler/asyncapi.test.ts has the rest)', async () => {
    const { errors } = await compileText(`arazzo: 1.1.0
info: { title: t, version: '1' }
sourceDescriptions:
- { name: api, url: OPENAPI, type: openapi }
- { name: events, url: ${join(ROOT, 'test/fixtures/asyncapi/orders.asyncapi.yml')}, type: asyncapi }
workflows:
- workflowId: w
  inputs: { type: object, properties: { orderId: { type: string } } }
  steps:
  - stepId: wait
    channelPath: $sourceDescriptions.events#/channels/orders
    action: receive
    correlationId: $inputs.orderId
    timeout: 6000
`);
    expect(errors).toEqual([
      'doc.arazzo.yml:11:18: error ASFN1091 step "wait": channelPath must look like {$sourceDescriptions.<name>.url}#/channels/<channel> and name a channel of an asyncapi source (events) [asyncapi-operation]',
    ]);
  });

  it('querystring is compiled, and refused beside the query parameters of the operation (a Selector in outputs is compiled, not a schema error); action parameters compile', async () => {
    const { errors } = await compileText(`${header('1.1.0')}- workflowId: w
  steps:
  - stepId: list
    operationId: listAllCustomers
    parameters:
    - { name: q, in: querystring, value: 'a=1' }
    outputs:
      email:
        context: $response.body
        selector: $.data[0].email
        type: jsonpath
    onFailure:
    - { name: again, type: goto, workflowId: w, parameters: [{ name: x, value: 1 }] }
`);
    expect(errors.map((e) => /^(\S+) error (ASFN\d+) ([^:]+)/.exec(e)?.slice(1).join(' '))).toEqual([
      'doc.arazzo.yml:8:5: ASFN1107 step "list"',
      'doc.arazzo.yml:18:46: ASFN1015 workflow "w" runs itself (w → w)',
    ]);
  });

  it('in a 1.0.x document a Selector-shaped object is a plain value, as before', async () => {
    const { errors } = await compileText(`${header('1.0.1')}- workflowId: w
  steps:
  - stepId: make
    operationId: createCustomer
    requestBody:
      contentType: application/json
      payload: { context: a, selector: b, type: c }
`);
    expect(errors.filter((e) => e.includes('ASFN1063') || e.includes('ASFN110'))).toEqual([]);
  });

  it('$self is the base URI of relative source URLs; it may not have a fragment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arazzo-11-self-'));
    await mkdir(join(dir, 'specs'));
    await writeFile(join(dir, 'specs', 'api.yml'), await import('node:fs/promises').then((fs) => fs.readFile(OPENAPI, 'utf8')));
    const doc = (self: string) => `arazzo: 1.1.0
$self: ${self}
info: { title: t, version: '1' }
sourceDescriptions:
- { name: api, url: api.yml, type: openapi }
workflows:
- workflowId: w
  steps:
  - stepId: list
    operationId: listAllCustomers
`;
    const file = join(dir, 'doc.arazzo.yml');
    await writeFile(file, doc('./specs/'));
    expect((await compileFile(file)).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);

    // Offline: nothing is fetched; the error names the URL the source resolved to.
    await writeFile(file, doc('https://example.com/flows/doc.arazzo.yml'));
    const remote = (await compileFile(file, { remoteSources: 'offline' })).diagnostics.filter((d) => d.severity === 'error');
    expect(remote.map((d) => d.code)).toEqual(['ASFN1027']);
    expect(remote[0].message).toContain('https://example.com/flows/api.yml is not fetched when offline');

    await writeFile(file, doc("'./specs/#top'"));
    const fragment = (await compileFile(file)).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
    expect(fragment).toEqual(['ASFN1064 $self must be a URI reference without a fragment (RFC 3986 §4.1)']);
  });
});
