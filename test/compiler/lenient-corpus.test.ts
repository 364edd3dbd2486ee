import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic } from '../../compiler/index.js';
import { omitExtensions } from '../../compiler/load/openapi-extensions.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/lenient');
const DIR = relative(process.cwd(), FIXTURES);

/**
 * Each document of test/fixtures/lenient/ breaks a SHOULD, a MAY, or something only the
 * provider can judge (its first line says which): it compiles, every workflow of it, with
 * exactly these warnings and no error (issue 13 §1, "Severity follows the spec's words").
 */
const LENIENT: Record<string, { readonly warnings: readonly string[]; readonly workflows: readonly string[] }> = {
  'content-type-unlisted': {
    warnings: ['content-type-unlisted.arazzo.yml:27:20: warning ASFN2012 content type "application/xml" is not one the operation lists (application/json); the body is sent as application/xml anyway [request-content-type]'],
    workflows: ['buy-item'],
  },
  'id-pattern': {
    warnings: [
      'id-pattern.arazzo.yml:11:15: warning ASFN2015 workflowId "Buy Item" does not match [A-Za-z0-9_-]+ (Arazzo: SHOULD); names derived for AWS are sanitised, and $workflows.<id> names it only as a whole value or in {braces} [id-pattern]',
      'id-pattern.arazzo.yml:35:13: warning ASFN2015 stepId "check item" does not match [A-Za-z0-9_-]+ (Arazzo: SHOULD); its state names are sanitised, and $steps.<id> names it only as a whole value or in {braces} [id-pattern]',
    ],
    workflows: ['Buy Item'],
  },
  'inputs-unlisted-open-schema': {
    warnings: [
      'inputs-unlisted-open-schema.arazzo.yml:29:15: warning ASFN2014 $inputs.nmae: the inputs schema of workflow "buy-item" does not declare it (declares: name, quantity, requestId); it admits other inputs, so the value is read when the execution input has it [undeclared-input]',
    ],
    workflows: ['buy-item'],
  },
  'operation-id-short-form': {
    warnings: [
      'operation-id-short-form.arazzo.yml:36:18: warning ASFN2026 step "getItem": operationId "shop.getItem" is read as $sourceDescriptions.shop.getItem (Respect\'s short form); write it that way, the form Arazzo defines [operation-id-short-form]',
    ],
    workflows: ['buy-item'],
  },
  'openapi-3-2': { warnings: [], workflows: ['buy-item', 'search-items'] },
  'openapi-extension-dangling-ref': { warnings: [], workflows: ['buy-item'] },
  'required-header-unset': {
    warnings: ['required-header-unset.arazzo.yml:20:5: warning ASFN2010 step "createItem": required header parameter "X-Request-Id" of operation createItem has no value; the request is sent without it [required-parameter]'],
    workflows: ['buy-item'],
  },
  'undeclared-header': {
    warnings: ['undeclared-header.arazzo.yml:41:13: warning ASFN2011 parameter "X-API-Key" in header is not declared by operation getItem (it declares: itemId (path)); it is sent anyway [undeclared-parameter]'],
    workflows: ['buy-item'],
  },
  'undeclared-query-parameter': {
    warnings: ['undeclared-query-parameter.arazzo.yml:41:13: warning ASFN2011 parameter "expand" in query is not declared by operation getItem (it declares: itemId (path)); it is sent anyway [undeclared-parameter]'],
    workflows: ['buy-item'],
  },
  'workflows-output-implied-dependency': {
    warnings: [
      'workflows-output-implied-dependency.arazzo.yml:66:14: warning ASFN2125 $workflows.buy-item.outputs.itemId: workflow "check-item" reads workflow "buy-item" without listing it in dependsOn; it runs "buy-item" first, with the same inputs, as a dependency (list it in dependsOn to say so) [implied-depends-on]',
    ],
    workflows: ['buy-item', 'check-item'],
  },
  'workflow-step-status-code': {
    warnings: [
      'workflow-step-status-code.arazzo.yml:74:5: warning ASFN2013 step "order" runs workflow "buy-item" and makes no HTTP call: "$statusCode" has no value there, so a criterion that compares it does not hold (read the child\'s outputs with $outputs.<name>) [workflow-step-http]',
    ],
    workflows: ['buy-item', 'order-item'],
  },
};

describe('the lenient corpus: documents that break no MUST compile, with warnings', () => {
  it('lists every document of the folder', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.arazzo.yml'));
    expect(files.map((f) => f.replace(/\.arazzo\.yml$/, '')).sort()).toEqual(Object.keys(LENIENT).sort());
  });

  it.each(Object.entries(LENIENT))('%s', async (name, expected) => {
    const result = await compileFile(join(FIXTURES, `${name}.arazzo.yml`));
    expect(result.diagnostics.map(formatDiagnostic)).toEqual(expected.warnings.map((w) => `${DIR}/${w}`));
    expect(result.workflows.map((w) => w.plan.workflowId)).toEqual(expected.workflows);
  });
});

describe('OpenAPI extensions are not read', () => {
  it('drops x- fields at any depth, and keeps names an author chose (a header X-Rate-Limit, a property x-id)', () => {
    const description = {
      'x-tooling': { $ref: '#/nowhere' },
      paths: { '/a': { get: { 'x-codegen': { $ref: './nowhere.yml' }, responses: { '200': { headers: { 'X-Rate-Limit': { schema: { type: 'integer' } } } } } } } },
      components: { schemas: { Item: { properties: { 'x-id': { type: 'string' } } } } },
    };
    expect(omitExtensions(description)).toEqual({
      paths: { '/a': { get: { responses: { '200': { headers: { 'X-Rate-Limit': { schema: { type: 'integer' } } } } } } } },
      components: { schemas: { Item: { properties: { 'x-id': { type: 'string' } } } } },
    });
  });
});
