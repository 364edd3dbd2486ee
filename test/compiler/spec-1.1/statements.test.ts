/**
 * One small document per statement of Arazzo 1.1.0 that docs/spec-conformance-1.1.md lists and no
 * other test pins: what the compiler says of it (the codes of its diagnostics, errors then
 * warnings), or that it says nothing. The same documents were checked through the bundled CLI's
 * `validate` for the audit.
 */
import { describe, expect, it } from 'vitest';
import { compileDoc, getPet, head, workflow } from './support.js';

const codes = (lines: readonly string[]) => lines.map((l) => /(ASFN\d{4})/.exec(l)![1]);

const child = `  - workflowId: w2
    steps:
${getPet('b')}`;

/** [statement, document, error codes, warning codes] */
const CASES: readonly (readonly [string, string, readonly string[], readonly string[]])[] = [
  ['§ Versions: the patch version SHOULD NOT be considered (1.1.7 reads as 1.1)', head('1.1.7') + workflow(getPet()), [], []],
  ['§ Versions / arazzo: a version outside 1.0.x and 1.1.x is refused', head('1.2.0') + workflow(getPet()), ['ASFN1002'], []],
  ['§ Arazzo Object, $self: MUST NOT contain a fragment', head().replace('info:', "$self: 'https://x.example/a.arazzo.yaml#f'\ninfo:") + workflow(getPet()), ['ASFN1064'], []],
  ['§ Arazzo Object, $self: MUST be a URI-reference', head().replace('info:', "$self: 'http://bad host/a b'\ninfo:") + workflow(getPet()), ['ASFN1064'], []],
  ['§ Info Object: title is REQUIRED', head().replace("{ title: t, version: '1' }", "{ version: '1' }") + workflow(getPet()), ['ASFN1002'], []],
  ['§ Info Object: version is a string', head().replace("version: '1'", 'version: 1') + workflow(getPet()), ['ASFN1002'], []],
  ['§ Arazzo Object: sourceDescriptions MUST have at least one entry', "arazzo: 1.1.0\ninfo: { title: t, version: '1' }\nsourceDescriptions: []\n" + workflow(getPet()), ['ASFN1002'], []],
  ['§ Arazzo Object: workflows MUST have at least one entry', `${head()}workflows: []\n`, ['ASFN1002'], []],
  [
    '§ Source Description Object: name SHOULD match [A-Za-z0-9_-]+ (operationId and operationPath read it by the longest declared name)',
    head().replace('name: pets,', 'name: pets.v2,').replace('sourceDescriptions:\n', 'sourceDescriptions:\n  - { name: pets, url: ./openapi.yml, type: openapi }\n') +
      workflow(getPet().replace('operationId: getPet', 'operationId: $sourceDescriptions.pets.v2.getPet') + "      - stepId: b\n        operationPath: '{$sourceDescriptions.pets.v2.url}#/paths/~1pets/get'\n"),
    [],
    ['ASFN2015', 'ASFN2195'],
  ],
  [
    '§ Runtime Expressions: source-name is [A-Za-z0-9_-]+ (ABNF identifier-strict), so an expression cannot name a source outside it',
    head().replace('name: pets,', 'name: pets.v2,') + workflow(getPet('a', '        outputs: { where: $sourceDescriptions.pets.v2.url }\n').replace('getPet\n', '$sourceDescriptions.pets.v2.getPet\n')),
    ['ASFN1226'],
    ['ASFN2015'],
  ],
  ['§ Source Description Object: type is openapi, arazzo or asyncapi', head().replace('type: openapi', 'type: graphql') + workflow(getPet()), ['ASFN1002'], []],
  ['§ Workflow Object: workflowId MUST be unique', head() + workflow(getPet()) + child.replace('w2', 'w'), ['ASFN1007'], []],
  ['§ Workflow Object: workflowId SHOULD match [A-Za-z0-9_-]+', head() + workflow(getPet()).replace('workflowId: w', 'workflowId: w.x'), [], ['ASFN2015']],
  ['§ Step Object: stepId MUST be unique in the workflow', head() + workflow(getPet('a') + getPet('a')), ['ASFN1007'], []],
  ['§ Step Object: stepId SHOULD match [A-Za-z0-9_-]+', head() + workflow(getPet('a.b')), [], ['ASFN2015']],
  ['§ Step Object: exactly one of operationId, operationPath, workflowId', head() + workflow(getPet('a', "        operationPath: '{$sourceDescriptions.pets.url}#/paths/~1pets/get'\n")), ['ASFN1002'], []],
  ['§ Step Object: operationPath MUST use a runtime expression for its source', head() + workflow("      - stepId: a\n        operationPath: 'openapi.yml#/paths/~1pets/get'\n"), ['ASFN1005'], []],
  [
    '§ Step Object: several sources: operationId MUST be qualified',
    head().replace('sourceDescriptions:\n', 'sourceDescriptions:\n  - { name: pets2, url: ./openapi.yml, type: openapi }\n') + workflow(getPet()),
    ['ASFN1006'],
    [],
  ],
  ['§ Step Object, outputs: names MUST match ^[a-zA-Z0-9.-_]+$', head() + workflow(getPet('a', '        outputs:\n          "a b": $statusCode\n')), ['ASFN1002'], []],
  ['§ Step Object, parameters: the list MUST NOT include duplicates', head() + workflow("      - stepId: a\n        operationId: getPet\n        parameters: [{ name: id, in: path, value: p }, { name: id, in: path, value: q }]\n"), ['ASFN1007'], []],
  ['§ Step Object, onSuccess: the list MUST NOT include duplicate actions', head() + workflow(getPet('a', '        onSuccess:\n          - { name: e, type: end }\n          - { name: e, type: end }\n')), ['ASFN1007'], []],
  ['§ Step Object, timeout: an integer', head() + workflow(getPet('a', '        timeout: 1.5\n')), ['ASFN1002'], []],
  ['§ Step Object, dependsOn: each value MUST be a stepId', head() + workflow(getPet('a', '        dependsOn: [zzz]\n')), ['ASFN1056'], []],
  ['§ Step Object, dependsOn: the stepId is case-sensitive', head() + workflow(getPet('a') + getPet('b', '        dependsOn: [A]\n')), ['ASFN1056'], []],
  ['§ Step Dependencies: a cycle cannot be satisfied', head() + workflow(getPet('a', '        dependsOn: [b]\n') + getPet('b', '        dependsOn: [a]\n')), ['ASFN1057'], []],
  [
    '§ Validation Recommendations: without dependsOn, a read of a later step SHOULD be an error',
    head() + workflow("      - stepId: a\n        operationId: getPet\n        parameters: [{ name: id, in: path, value: $steps.b.outputs.x }]\n" + getPet('b', '        outputs: { x: $statusCode }\n')),
    ['ASFN1010'],
    [],
  ],
  [
    '§ Tool Behavior: with dependsOn, an output reference is an implicit dependency (run in that order)',
    head() + workflow("      - stepId: a\n        operationId: getPet\n        parameters: [{ name: id, in: path, value: $steps.b.outputs.x }]\n" + getPet('b', '        outputs: { x: $statusCode }\n') + getPet('c', '        dependsOn: [b]\n')),
    [],
    [],
  ],
  ['§ Parameter Object: in MUST be specified for an operation step', head() + workflow("      - stepId: a\n        operationId: getPet\n        parameters: [{ name: id, value: p }]\n"), ['ASFN1012', 'ASFN1002'], []],
  [
    '§ Parameter Object, querystring: the value MUST match the media type of its content (form pairs by default)',
    head() + workflow("      - stepId: a\n        operationId: listPets\n        parameters: [{ name: q, in: querystring, value: 'a=100%' }]\n"),
    ['ASFN1107', 'ASFN1225'],
    ['ASFN2011'],
  ],
  [
    '§ Parameter Object, querystring: cannot coexist with query parameters; the value MUST be a string',
    head() + workflow("      - stepId: a\n        operationId: listPets\n        parameters: [{ name: q, in: querystring, value: 5 }]\n"),
    ['ASFN1107', 'ASFN1107'],
    ['ASFN2011'],
  ],
  [
    '§ Success Action Object, parameters: the in field MUST NOT be used',
    head() + workflow(getPet('a', '        onSuccess:\n          - { name: g, type: goto, workflowId: w2, parameters: [{ name: x, in: query, value: 1 }] }\n')) + child,
    ['ASFN1106'],
    [],
  ],
  ['§ Success Action Object: type is end or goto', head() + workflow(getPet('a', '        onSuccess:\n          - { name: g, type: retry }\n')), ['ASFN1002'], []],
  ['§ Success Action Object: stepId and workflowId are mutually exclusive', head() + workflow(getPet('a', '        onSuccess:\n          - { name: g, type: goto, stepId: a, workflowId: w2 }\n')) + child, ['ASFN1002'], []],
  ['§ Success Action Object: the stepId MUST be within the current workflow', head() + workflow(getPet('a', '        onSuccess:\n          - { name: g, type: goto, stepId: b }\n')) + child, ['ASFN1008'], []],
  ['§ Failure Action Object: retryAfter is non-negative', head() + workflow(getPet('a', '        onFailure:\n          - { name: g, type: retry, retryAfter: -1 }\n')), ['ASFN1002'], []],
  ['§ Reusable Object: MUST link to a component of the right kind', head() + workflow(getPet('a', '        onSuccess: [{ reference: $components.failureActions.f }]\n')) + 'components:\n  failureActions:\n    f: { name: f, type: end }\n', ['ASFN1010'], []],
  ['§ Criterion Object: if type is specified, context MUST be provided', head() + workflow(getPet('a', "        successCriteria: [{ condition: '^2', type: regex }]\n")), ['ASFN1013'], []],
  ['§ Criterion Object: condition is REQUIRED', head() + workflow(getPet('a', '        successCriteria: [{ context: $statusCode }]\n')), ['ASFN1002'], []],
  ['§ Regex Conditions: the condition MUST be a valid regular expression', head() + workflow(getPet('a', "        successCriteria: [{ context: $statusCode, condition: '(', type: regex }]\n")), ['ASFN1013'], []],
  ['§ JSONPath Conditions: the condition MUST be RFC 9535 JSONPath', head() + workflow(getPet('a', "        successCriteria: [{ context: $response.body, condition: '$[?', type: jsonpath }]\n")), ['ASFN1013'], []],
  ['§ XPath Conditions: the condition MUST be valid XPath (3.1 by default)', head() + workflow(getPet('a', "        successCriteria: [{ context: $response.body, condition: '/a[', type: xpath }]\n")), ['ASFN1013'], []],
  [
    '§ Runtime Expressions in Conditions: expressions MUST be embedded in {} in a jsonpath condition',
    head() + workflow(getPet('a', "        successCriteria: [{ context: $response.body, condition: '$[?@.id == $inputs.id]', type: jsonpath }]\n")),
    ['ASFN1013'],
    [],
  ],
  ['§ Expression Type Object: version is REQUIRED', head() + workflow(getPet('a', "        successCriteria: [{ context: $response.body, condition: '/a', type: { type: xpath } }]\n")), ['ASFN1002'], []],
  ['§ Expression Type Object: only the versions its table allows', head() + workflow(getPet('a', "        successCriteria: [{ context: $response.body, condition: '/a', type: { type: xpath, version: xpath-40 } }]\n")), ['ASFN1100'], []],
  ['§ Expression Type Object: xpath-31, in the table of allowed versions', head() + workflow(getPet('a', "        successCriteria: [{ context: $response.body, condition: '/a', type: { type: xpath, version: xpath-31 } }]\n")), [], []],
  ['§ Selector Object: type is REQUIRED', head() + workflow(getPet('a', "        outputs:\n          x: { context: $response.body, selector: '$.a' }\n")), ['ASFN1002'], []],
  ['§ Selector Object: the selector MUST conform to its type', head() + workflow(getPet('a', "        outputs:\n          x: { context: $response.body, selector: '$.[', type: jsonpath }\n")), ['ASFN1101'], []],
  ['§ Selector Object: context is a runtime expression', head() + workflow(getPet('a', "        outputs:\n          x: { context: body, selector: '$.a', type: jsonpath }\n")), ['ASFN1009'], []],
  [
    '§ Payload Replacement Object: a JSON target MUST be a JSON Pointer',
    head() + workflow("      - stepId: a\n        operationId: createPet\n        requestBody:\n          contentType: application/json\n          payload: { a: 1 }\n          replacements: [{ target: 'a', value: 2 }]\n"),
    ['ASFN1101'],
    [],
  ],
  ['§ Format: YAML tags MUST be limited to the JSON Schema ruleset', head() + workflow(getPet('a', '        outputs: { x: !!binary aGVsbG8= }\n')), ['ASFN1002'], []],
  ['§ Format: YAML keys MUST be scalar strings', head() + workflow(getPet('a', '        outputs: { [a, b]: $statusCode }\n')), ['ASFN1002'], []],
  ['§ Workflow Object: steps REQUIRED (an empty list is refused too: stricter than the prose, as the published 1.0 schema)', `${head()}workflows:\n  - workflowId: w\n    steps: []\n`, ['ASFN1002'], []],
  [
    '§ Reusable Object: properties added MUST be ignored',
    head() + workflow("      - stepId: a\n        operationId: getPet\n        parameters: [{ reference: $components.parameters.pid, extra: 1, x-note: n }]\n") + 'components:\n  parameters:\n    pid: { name: id, in: path, value: p }\n',
    [],
    [],
  ],
  ['§ Specification Extensions: an unknown fixed field that is not x- is refused', head() + workflow(getPet('a', '        foo: 1\n')), ['ASFN1002'], []],
];

describe('Arazzo 1.1.0 statements (docs/spec-conformance-1.1.md)', () => {
  it.each(CASES.map(([name, doc, errors, warnings]) => [name, doc, errors, warnings] as const))('%s', async (_name, doc, errors, warnings) => {
    const result = await compileDoc(doc);
    expect({ errors: codes(result.errors), warnings: codes(result.warnings) }).toEqual({ errors, warnings });
  });
});
