import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic, type CompileResult } from '../../compiler/index.js';

// test/fixtures/invalid already holds the unresolvable $ref, the YAML syntax error, the missing file
// and the remote URL (pinned by test/compiler/invalid-corpus.test.ts); these are the other ways an
// OpenAPI description can be unusable.

const ARAZZO = `arazzo: 1.0.1
info: { title: malformed openapi, version: 1.0.0 }
sourceDescriptions:
  - { name: api, url: ./openapi.yml, type: openapi }
workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: getThing
        successCriteria: [{ condition: $statusCode == 200 }]
`;

const HEAD = `openapi: 3.1.0\ninfo: { title: x, version: '1' }\n`;
const NOT_OPENAPI = 'openapi.yml:1:1: error ASFN1004 not an OpenAPI 3.0/3.1/3.2 description (missing or unsupported `openapi` version) [openapi]';
const CANNOT_LOAD = 'w.arazzo.yml:4:23: error ASFN1003 source "api": cannot load ./openapi.yml [source-description]';
const NOT_DECLARED = 'w.arazzo.yml:9:22: error ASFN1005 step "s": operationId "getThing" is not declared in any source (api) [operation-binding]';

// A billion-laughs document: nine levels of nine aliases, which the YAML library refuses to expand.
const aliasBomb = (prefix: string) => {
  const levels = ['a: &a [1,1,1,1,1,1,1,1,1]'];
  for (let i = 1; i < 9; i++) levels.push(`${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9).fill(`*${'abcdefghi'[i - 1]}`).join(',')}]`);
  return `${prefix}x-bomb:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'malformed-openapi-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let counter = 0;
async function compileWith(openapi: string, arazzo = ARAZZO): Promise<CompileResult> {
  const sub = join(dir, String(counter++));
  await mkdir(sub);
  await writeFile(join(sub, 'openapi.yml'), openapi);
  await writeFile(join(sub, 'w.arazzo.yml'), arazzo);
  return compileFile(join(sub, 'w.arazzo.yml'));
}

const errorsOf = (result: CompileResult) =>
  result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).replace(/^.*?([\w.-]+\.yml:)/, '$1'));

describe('malformed OpenAPI descriptions: diagnostics with a code, never an exception', () => {
  it.each([
    ['a Swagger 2.0 document', `swagger: '2.0'\ninfo: { title: x, version: '1' }\npaths: {}\n`],
    ['OpenAPI 4', `openapi: 4.0.0\ninfo: { title: x, version: '1' }\npaths: {}\n`],
    ['an unquoted version (a YAML number)', `openapi: 3.1\ninfo: { title: x, version: '1' }\npaths: {}\n`],
    ['a YAML list', '- openapi\n- 3.1.0\n'],
    ['an empty file', ''],
    ['binary bytes', '\u0000\u0001\u0002\u0089PNG\r\n'],
  ])('%s: not an OpenAPI description, so the source cannot load', async (_, text) => {
    const result = await compileWith(text);
    expect(errorsOf(result)).toEqual([NOT_OPENAPI, CANNOT_LOAD]);
    expect(result.workflows).toEqual([]);
  });

  it.each([
    ['paths is a list', `${HEAD}paths: [1, 2]\n`],
    ['paths is a string', `${HEAD}paths: nope\n`],
    ['an operation is a string', `${HEAD}paths:\n  /t:\n    get: nope\n`],
    ['operationId is a number', `${HEAD}paths:\n  /t:\n    get: { operationId: 42, responses: {} }\n`],
  ])('%s: the operation is not found, by name', async (_, text) => {
    const result = await compileWith(text);
    expect(errorsOf(result)).toContain(NOT_DECLARED);
  });

  it('two operations with one operationId: the step is ambiguous, by name', async () => {
    const result = await compileWith(`${HEAD}paths:\n  /t:\n    get: { operationId: getThing, responses: {} }\n  /u:\n    get: { operationId: getThing, responses: {} }\n`);
    expect(errorsOf(result)).toEqual([expect.stringContaining('error ASFN1006 step "s": operationId "getThing" is declared by api and api')]);
  });

  it('a schema that refers to itself compiles (a circular $ref is left as it is)', async () => {
    const result = await compileWith(
      `${HEAD}paths:\n  /t:\n    get:\n      operationId: getThing\n      responses: { '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/A' } } } } }\ncomponents:\n  schemas:\n    A: { type: object, properties: { a: { $ref: '#/components/schemas/A' } } }\n`,
    );
    expect(errorsOf(result)).toEqual([]);
    expect(result.workflows).toHaveLength(1);
  });

  // Each once threw out of compileFile; they come back as ASFN1004/ASFN1001 diagnostics.
  describe('documents that once crashed the compiler', () => {
    it.each([
      ['path-level parameters given as a map', `${HEAD}paths:\n  /t:\n    parameters: { a: 1 }\n    get: { operationId: getThing, responses: {} }\n`],
      ['operation parameters given as a number', `${HEAD}paths:\n  /t:\n    get: { operationId: getThing, parameters: 5, responses: {} }\n`],
      ['a null parameter', `${HEAD}paths:\n  /t:\n    get: { operationId: getThing, parameters: [null], responses: {} }\n`],
      ['an alias bomb in the OpenAPI document', aliasBomb(`${HEAD}paths:\n  /t:\n    get: { operationId: getThing, responses: {} }\n`)],
    ])('%s: a diagnostic, not an exception', async (_, text) => {
      const result = await compileWith(text);
      expect(errorsOf(result).length).toBeGreaterThan(0);
    });

    it('an alias bomb in the Arazzo document: a diagnostic, not an exception', async () => {
      const result = await compileWith(`${HEAD}paths:\n  /t:\n    get: { operationId: getThing, responses: {} }\n`, aliasBomb(ARAZZO));
      expect(errorsOf(result).length).toBeGreaterThan(0);
    });
  });
});
