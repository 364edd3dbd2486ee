import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, formatDiagnostic, type CompileResult } from '../../compiler/index.js';
import { runCli } from '../cli/run-cli.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/invalid');
/** Diagnostics name files relative to the working directory; the table below names them relative to FIXTURES. */
const DIR = relative(process.cwd(), FIXTURES);
const shown = (line: string) => `${DIR}/${line.replaceAll('{dir}', DIR)}`;

interface Expected {
  /** Every error, formatted as `validate` prints it, in the order reported. */
  readonly errors: readonly string[];
  /** Every warning; unchecked for the copies of seed 000, which carry the seed's own warnings. */
  readonly warnings?: readonly string[];
  /** The workflows that still compile: errors are scoped per workflow, so a valid sibling does. @default [] */
  readonly compiled?: readonly string[];
}

/** Copies of seed 000 with one thing broken (their positions are also pinned by invalid-arazzo.test.ts). */
const SEED_COPIES = new Set(['duplicate-key', 'malformed-yaml', 'missing-operation-id', 'several-errors', 'step-not-run-yet', 'undeclared-parameter', 'unknown-goto-step', 'unknown-operation-id']);

/**
 * Each document of test/fixtures/invalid/ is broken in one way (its first line says how); the
 * others break base/shop.arazzo.yml, which compiles with no diagnostic at all, so they must not
 * warn either.
 */
const CORPUS: Record<string, Expected> = {
  'action-criterion-unknown-step': {
    errors: ['action-criterion-unknown-step.arazzo.yml:56:20: error ASFN1010 $steps.pollItem names no step of workflow "buy-item" [runtime-expression]'],
  },
  'child-output-undeclared': {
    errors: ['child-output-undeclared.arazzo.yml:74:11: error ASFN1020 $outputs.itemID: workflow "buy-item", which step "buy" runs, has no output "itemID" (declares: itemId, status) [undeclared-output]'],
    compiled: ['buy-item'],
  },
  'components-unknown-in-expression': {
    errors: ['components-unknown-in-expression.arazzo.yml:25:14: error ASFN1010 $components.inputs.defaults does not name an entry of components.inputs [runtime-expression]'],
  },
  'criterion-jsonpath-malformed': {
    errors: ["criterion-jsonpath-malformed.arazzo.yml:50:20: error ASFN1013 jsonpath criterion \"$[?@.status == ]\": not an RFC 9535 JSONPath query: Expected \"$\", \"'\", \"-\", \"-0\", \"0\", \"@\", \"\\\"\", \"false\", \"null\", \"true\", [1-9], [\\t-\\n\\r ], or [a-z] but \"]\" found. [criteria]"],
  },
  'criterion-regex-malformed': {
    errors: ['criterion-regex-malformed.arazzo.yml:50:20: error ASFN1013 regex criterion "^(ready|done": condition is not an ECMA-262 regular expression: Invalid regular expression: /^(ready|done/: Unterminated group [criteria]'],
  },
  'criterion-simple-malformed': {
    errors: ['criterion-simple-malformed.arazzo.yml:42:18: error ASFN1013 simple criterion "$statusCode ==": the condition ends where an operand is expected [criteria]'],
  },
  'duplicate-action-name': {
    errors: ['duplicate-action-name.arazzo.yml:52:13: error ASFN1007 onSuccess action name "ready" is used twice in step "getItem" [duplicate-id]'],
  },
  'duplicate-key': {
    errors: ['duplicate-key.arazzo.yml:94:5: error ASFN1001 YAML: Map keys must be unique [yaml-syntax]'],
  },
  'duplicate-parameter': {
    errors: ['duplicate-parameter.arazzo.yml:41:13: error ASFN1007 parameter "itemId" in path is given twice in step "getItem" [duplicate-id]'],
  },
  'duplicate-replacement-target': {
    errors: ['duplicate-replacement-target.arazzo.yml:34:17: error ASFN1007 replacement target "/quantity" is given twice in step "createItem" [duplicate-id]'],
  },
  // The second ASFN1005 is a consequence: the loader keeps only the last source of a name.
  'duplicate-source-name': {
    errors: [
      'duplicate-source-name.arazzo.yml:10:9: error ASFN1007 source description name "shop" is used twice [duplicate-id]',
      'duplicate-source-name.arazzo.yml:24:18: error ASFN1005 step "createItem": operationId "createItem" is not declared in any source (shop) [operation-binding]',
    ],
  },
  'duplicate-step-id': {
    errors: ['duplicate-step-id.arazzo.yml:35:13: error ASFN1007 stepId "createItem" is used twice in workflow "buy-item" [duplicate-id]'],
  },
  'duplicate-workflow-id': {
    errors: ['duplicate-workflow-id.arazzo.yml:59:15: error ASFN1007 workflowId "buy-item" is used twice [duplicate-id]'],
  },
  'expression-syntax': {
    errors: ['expression-syntax.arazzo.yml:34:15: error ASFN1009 invalid runtime expression in "$response.bdy#/id": expected "header" or "body" after "$response." [runtime-expression]'],
  },
  'expression-unclosed-brace': {
    errors: ['expression-unclosed-brace.arazzo.yml:25:14: error ASFN1009 invalid runtime expression in "req-{$inputs.requestId": expected "}" to close the embedded expression [runtime-expression]'],
  },
  'inputs-schema-invalid': {
    errors: ['inputs-schema-invalid.arazzo.yml:13:11: error ASFN1016 inputs of workflow "buy-item" is not a JSON Schema: type must be equal to one of the allowed values (array, boolean, integer, null, number, object, string) [inputs-schema]'],
  },
  'inputs-schema-not-object': {
    errors: ['inputs-schema-not-object.arazzo.yml:13:11: error ASFN1016 inputs of workflow "buy-item" must describe an object (the execution input is an object of named inputs), not "string" [inputs-schema]'],
  },
  'inputs-undeclared': {
    errors: ['inputs-undeclared.arazzo.yml:30:15: error ASFN1019 $inputs.nmae: the inputs schema of workflow "buy-item" does not declare it (declares: name, quantity, requestId), and it admits no other input [undeclared-input]'],
  },
  'loop-bound-not-a-number': {
    errors: ['loop-bound-not-a-number.arazzo.yml:55:61: error ASFN1018 x-arazzo-sfn-loop.maxAttempts must be an integer from 1 to 10000, not "ten": a loop needs a bound it can reach [loop-bound]'],
  },
  'loop-bound-unknown-key': {
    errors: ['loop-bound-unknown-key.arazzo.yml:55:60: error ASFN1018 x-arazzo-sfn-loop: unknown field "maxAttempt" (allowed: intervalSeconds, backoffRate, maxDelaySeconds, maxAttempts) [loop-bound]'],
  },
  'loop-bound-zero': {
    errors: ['loop-bound-zero.arazzo.yml:55:61: error ASFN1018 x-arazzo-sfn-loop.maxAttempts must be an integer from 1 to 10000, not 0: a loop needs a bound it can reach [loop-bound]'],
  },
  'malformed-yaml': {
    errors: ['malformed-yaml.arazzo.yml:93:1: error ASFN1001 YAML: All mapping items must start at the same column [yaml-syntax]'],
  },
  'missing-operation-id': {
    errors: ['missing-operation-id.arazzo.yml:69:5: error ASFN1002 step "startVerification" must have exactly one of operationId, operationPath or workflowId (has 0) [arazzo-schema]'],
  },
  'missing-path-parameter': {
    errors: ['missing-path-parameter.arazzo.yml:35:5: error ASFN1012 step "getItem": required path parameter "itemId" of operation getItem has no value [parameters]'],
  },
  'missing-request-body': {
    errors: ['missing-request-body.arazzo.yml:20:5: error ASFN1017 step "createItem": operation createItem requires a request body (application/json) and the step sends none [request-body]'],
  },
  // Reported at the $ref (line 15 of broken-ref.yml).
  'openapi-unresolvable-ref': {
    errors: [
      'openapi/broken-ref.yml:15:31: error ASFN1004 $ref #/components/schemas/ItemList: this file has nothing at /components/schemas/ItemList [openapi]',
      'openapi-unresolvable-ref.arazzo.yml:8:8: error ASFN1003 source "shop": cannot load openapi/broken-ref.yml [source-description]',
    ],
  },
  'openapi-yaml-error': {
    errors: [
      'openapi/broken-yaml.yml:12:7: error ASFN1001 YAML: Flow map in block collection must be sufficiently indented and end with a } [yaml-syntax]',
      'openapi-yaml-error.arazzo.yml:8:8: error ASFN1003 source "shop": cannot load openapi/broken-yaml.yml [source-description]',
    ],
  },
  'operation-id-ambiguous': {
    errors: ['operation-id-ambiguous.arazzo.yml:39:18: error ASFN1006 step "getItem": operationId "getItem" is declared by shop and mirror; qualify it as $sourceDescriptions.<name>.getItem [operation-binding]'],
  },
  'operation-id-and-path': {
    errors: ['operation-id-and-path.arazzo.yml:35:5: error ASFN1002 step "getItem" must have exactly one of operationId, operationPath or workflowId (has 2) [arazzo-schema]'],
  },
  'operation-id-unknown-in-qualified-source': {
    errors: ['operation-id-unknown-in-qualified-source.arazzo.yml:36:18: error ASFN1005 step "getItem": operationId "$sourceDescriptions.shop.getItems" is not declared in source "shop" [operation-binding]'],
  },
  'operation-path-nowhere': {
    errors: ['operation-path-nowhere.arazzo.yml:36:20: error ASFN1005 step "getItem": no operation at /paths/~1items~1{itemId}/delete in source "shop" [operation-binding]'],
  },
  'operation-path-unknown-source': {
    errors: ['operation-path-unknown-source.arazzo.yml:36:20: error ASFN1005 step "getItem": operationPath must look like {$sourceDescriptions.<name>.url}#/paths/~1path/method and name a known source [operation-binding]'],
  },
  'response-in-request': {
    errors: ["response-in-request.arazzo.yml:40:14: error ASFN1010 $response.body#/id is read while the request is built, before there is a response; read an earlier step's response through its outputs ($steps.<id>.outputs.<name>) [runtime-expression]"],
  },
  // zod reports the reusable-object branch of the union ("reference" missing), not the bad type.
  'schema-bad-action-type': {
    errors: ['schema-bad-action-type.arazzo.yml:52:7: error ASFN1002 reference: Invalid input: expected string, received undefined [arazzo-schema]'],
  },
  'schema-bad-arazzo-version': {
    errors: ['schema-bad-arazzo-version.arazzo.yml:2:9: error ASFN1002 arazzo must be a 1.0.x or 1.1.x version [arazzo-schema]'],
  },
  // As above: the bad criterion type invalidates the action, reported as a missing "reference".
  'schema-bad-criterion-type': {
    errors: ['schema-bad-criterion-type.arazzo.yml:46:7: error ASFN1002 reference: Invalid input: expected string, received undefined [arazzo-schema]'],
  },
  'schema-invalid-output-name': {
    errors: ['schema-invalid-output-name.arazzo.yml:57:14: error ASFN1002 an output name must match ^[a-zA-Z0-9.\\-_]+$ (key "item id") [arazzo-schema]'],
  },
  'source-name-in-expression': {
    errors: ['source-name-in-expression.arazzo.yml:36:16: error ASFN1226 $sourceDescriptions.shop.v1.url cannot name source "shop.v1": a runtime expression\'s source-name is [A-Za-z0-9_-]+ (Arazzo § Runtime Expressions, ABNF identifier-strict), so it reads source "shop"; rename the source to match the pattern [source-name-expression]'],
    warnings: [
      'source-name-in-expression.arazzo.yml:8:9: warning ASFN2015 source name "shop.v1" does not match [A-Za-z0-9_-]+ (Arazzo: SHOULD); operationId, operationPath, channelPath, workflowId and schemeName read it (the longest source name that fits decides), but a runtime expression in a value or condition cannot name it [id-pattern]',
    ],
  },
  'schema-missing-info-title': {
    errors: ['schema-missing-info-title.arazzo.yml:4:3: error ASFN1002 missing required field "title" [arazzo-schema]'],
  },
  'schema-negative-retry-limit': {
    errors: ['schema-negative-retry-limit.arazzo.yml:47:19: error ASFN1002 Too small: expected number to be >=0 [arazzo-schema]'],
  },
  'schema-no-workflows': {
    errors: ['schema-no-workflows.arazzo.yml:10:12: error ASFN1002 at least one workflow is required [arazzo-schema]'],
  },
  'schema-steps-not-a-list': {
    errors: ['schema-steps-not-a-list.arazzo.yml:19:10: error ASFN1002 Invalid input: expected array, received string [arazzo-schema]'],
  },
  'schema-unknown-field': {
    errors: ['schema-unknown-field.arazzo.yml:42:5: error ASFN1002 unknown field "sucessCriteria" (allowed: description, stepId, operationId, operationPath, workflowId, parameters, requestBody, successCriteria, onSuccess, onFailure, outputs, dependsOn, timeout, channelPath, action, correlationId, or x- extensions) [arazzo-schema]'],
  },
  'several-errors': {
    errors: [
      'several-errors.arazzo.yml:54:18: error ASFN1005 step "createCustomer": operationId "createCustomr" is not declared in any source (customersApi) [operation-binding]',
      'several-errors.arazzo.yml:118:15: error ASFN1008 goto action "notVerified" targets unknown step "reportFailur" (steps: createCustomer, startVerification, pollVerification, reportFailure) [step-target]',
      'several-errors.arazzo.yml:143:13: error ASFN1011 parameter "X-Unknown" in path is not declared by operation getCustomerVerificationById; it declares: customer_id (path), verification_id (path) [parameters]',
    ],
  },
  'source-file-missing': {
    errors: [
      'openapi/shop-v2.yml:1:1: error ASFN1003 cannot read {dir}/openapi/shop-v2.yml: file not found [source-description]',
      'source-file-missing.arazzo.yml:8:8: error ASFN1003 source "shop": cannot load openapi/shop-v2.yml [source-description]',
    ],
  },
  'source-remote-url': {
    errors: [
      'source-remote-url.arazzo.yml:8:8: error ASFN1027 source "shop": https://shop.example.com/openapi.yml is not fetched when offline, and there is no lock file ({dir}/source-remote-url.arazzo.lock.json); run `arazzo-sfn compile --update-lock {dir}/source-remote-url.arazzo.yml` with network access, then commit the lock file and .arazzo-sources/ [source-lock]',
    ],
  },
  'step-not-run-yet': {
    errors: ['step-not-run-yet.arazzo.yml:78:14: error ASFN1010 step "startVerification" reads $steps.pollVerification, which cannot have run before it [runtime-expression]'],
  },
  'step-output-undeclared': {
    errors: ['step-output-undeclared.arazzo.yml:58:13: error ASFN1020 $steps.getItem.outputs.state: step "getItem" has no output "state" (declares: status) [undeclared-output]'],
  },
  'steps-not-run-yet': {
    errors: ['steps-not-run-yet.arazzo.yml:30:19: error ASFN1010 step "createItem" reads $steps.getItem, which cannot have run before it [runtime-expression]'],
  },
  'steps-unknown-step': {
    errors: ['steps-unknown-step.arazzo.yml:40:14: error ASFN1010 $steps.creatItem names no step of workflow "buy-item" [runtime-expression]'],
  },
  'undeclared-parameter': {
    errors: ['undeclared-parameter.arazzo.yml:59:13: error ASFN1011 parameter "page[size]" in path is not declared by operation createCustomer; it declares: none [parameters]'],
  },
  'unknown-component-inputs-ref': {
    errors: ['unknown-component-inputs-ref.arazzo.yml:13:11: error ASFN1016 inputs $ref "#/components/inputs/buyer" must name an entry of components.inputs (none declared), a subschema of one, or an $anchor [inputs-schema]'],
  },
  // ASFN2010 follows from the unresolved reference: the header it would have set is missing.
  'unknown-component-parameter': {
    errors: ['unknown-component-parameter.arazzo.yml:23:18: error ASFN1010 reference "$components.parameters.requestId" does not name an entry of components.parameters [runtime-expression]'],
    warnings: ['unknown-component-parameter.arazzo.yml:20:5: warning ASFN2010 step "createItem": required header parameter "X-Request-Id" of operation createItem has no value; the request is sent without it [required-parameter]'],
  },
  'unknown-goto-in-workflow-failure-actions': {
    errors: ['unknown-goto-in-workflow-failure-actions.arazzo.yml:59:13: error ASFN1008 goto action "recover" targets unknown step "cleanUp" (steps: createItem, getItem) [step-target]'],
  },
  'unknown-goto-step': {
    errors: ['unknown-goto-step.arazzo.yml:118:15: error ASFN1008 goto action "notVerified" targets unknown step "reportFailur" (steps: createCustomer, startVerification, pollVerification, reportFailure) [step-target]'],
  },
  'unknown-operation-id': {
    errors: ['unknown-operation-id.arazzo.yml:54:18: error ASFN1005 step "createCustomer": operationId "createCustomr" is not declared in any source (customersApi) [operation-binding]'],
  },
  'workflows-output-undeclared': {
    errors: ['workflows-output-undeclared.arazzo.yml:67:14: error ASFN1020 $workflows.buy-item.outputs.itemID: workflow "buy-item" has no output "itemID" (declares: itemId, status) [undeclared-output]'],
    compiled: ['buy-item'],
  },
  'workflows-unknown': {
    errors: ['workflows-unknown.arazzo.yml:58:13: error ASFN1015 $workflows.sell-item names no workflow of this document (has: buy-item) [workflow-target]'],
  },
  // One tab, eight errors: every YAML error is reported, the cascade after the first included.
  'yaml-tab-indentation': {
    errors: [
      'yaml-tab-indentation.arazzo.yml:36:1: error ASFN1001 YAML: Tabs are not allowed as indentation [yaml-syntax]',
      'yaml-tab-indentation.arazzo.yml:36:15: error ASFN1001 YAML: Nested mappings are not allowed in compact mappings [yaml-syntax]',
      'yaml-tab-indentation.arazzo.yml:36:15: error ASFN1001 YAML: Implicit keys need to be on a single line [yaml-syntax]',
      'yaml-tab-indentation.arazzo.yml:41:1: error ASFN1001 YAML: All mapping items must start at the same column [yaml-syntax]',
      'yaml-tab-indentation.arazzo.yml:43:1: error ASFN1001 YAML: All mapping items must start at the same column [yaml-syntax]',
      'yaml-tab-indentation.arazzo.yml:45:1: error ASFN1001 YAML: All mapping items must start at the same column [yaml-syntax]',
      'yaml-tab-indentation.arazzo.yml:56:1: error ASFN1001 YAML: All mapping items must start at the same column [yaml-syntax]',
      'yaml-tab-indentation.arazzo.yml:56:3: error ASFN1001 YAML: Map keys must be unique [yaml-syntax]',
    ],
  },
  'yaml-unclosed-flow-sequence': {
    errors: ['yaml-unclosed-flow-sequence.arazzo.yml:15:5: error ASFN1001 YAML: Flow sequence in block collection must be sufficiently indented and end with a ] [yaml-syntax]'],
  },
};

const WARNINGS_ONLY: Record<string, readonly string[]> = {
  'deprecated-operation': ['warnings/deprecated-operation.arazzo.yml:36:18: warning ASFN2009 step "getItem": operation replaceItem is deprecated in source "shop" [deprecated-operation]'],
  'unexpected-request-body': ["warnings/unexpected-request-body.arazzo.yml:42:7: warning ASFN2008 step \"getItem\": operation getItem declares no request body; the step's body is sent anyway [request-body]"],
};

// Offline: the corpus never reaches the internet; its remote source has no lock (docs/remote-sources.md).
const compile = (path: string) => compileFile(join(FIXTURES, path), { remoteSources: 'offline' });
const errorsOf = (r: CompileResult) => r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
const warningsOf = (r: CompileResult) => r.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic);

describe('the invalid-document corpus', () => {
  it('has at least 35 documents, each listed here and each saying on its first line what is broken', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.arazzo.yml'));
    expect(files.length).toBeGreaterThanOrEqual(35);
    expect(files.map((f) => f.replace(/\.arazzo\.yml$/, '')).sort()).toEqual(Object.keys(CORPUS).sort());
  });

  it('breaks a base document that compiles with no diagnostic', async () => {
    const result = await compile('base/shop.arazzo.yml');
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(result.workflows.map((w) => w.plan.workflowId)).toEqual(['buy-item']);
  });

  describe.each(Object.entries(CORPUS))('%s', (name, expected) => {
    let result: CompileResult;
    it('yields exactly the expected errors, and compiles no workflow they touch', async () => {
      result = await compile(`${name}.arazzo.yml`);
      expect(errorsOf(result)).toEqual(expected.errors.map(shown));
      expect(result.workflows.map((w) => w.plan.workflowId)).toEqual(expected.compiled ?? []);
    });

    if (!SEED_COPIES.has(name)) {
      it('and no warning beyond those expected', () => {
        expect(warningsOf(result)).toEqual((expected.warnings ?? []).map(shown));
      });
    }

    it('and no stack trace in any message', () => {
      for (const d of result.diagnostics) expect(d.message).not.toMatch(/\n\s+at | {4}at /);
    });
  });

  it.each(Object.entries(WARNINGS_ONLY))('warnings/%s compiles, with exactly its warning', async (name, warnings) => {
    const result = await compile(`warnings/${name}.arazzo.yml`);
    expect(errorsOf(result)).toEqual([]);
    expect(warningsOf(result)).toEqual(warnings.map(shown));
    expect(result.workflows).toHaveLength(1);
  });
});

describe('arazzo-sfn validate on corpus documents', () => {
  it.each([
    ['missing-request-body', CORPUS['missing-request-body'].errors],
    ['openapi-yaml-error', CORPUS['openapi-yaml-error'].errors],
  ])('%s: prints the errors as file:line:col, exits 2, no stack trace', async (name, errors) => {
    const file = join(DIR, `${name}.arazzo.yml`);
    const { code, stdout, stderr } = await runCli(['validate', file]);
    expect(code).toBe(2);
    expect(stdout.trimEnd().split('\n')).toEqual([...errors.map(shown), `${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}, 0 warnings`]);
    expect(stdout + stderr).not.toMatch(/\n\s+at /);
  });
});
