import { describe, expect, it } from 'vitest';
import type { StepPlan } from '../../../core/plan.js';
import { ARAZZO_HEAD, compileWorkflowResult, PETS_OPENAPI } from '../../constructs/support/index.js';

/** PETS_OPENAPI with security schemes, so schemeName has something to resolve. */
const OPENAPI = PETS_OPENAPI.replace(
  'components:\n',
  `components:
  securitySchemes:
    ApiKey: { type: apiKey, in: header, name: X-Api-Key }
    Bearer: { type: http, scheme: bearer }
    Digest: { type: http, scheme: digest }
    Code: { type: oauth2, flows: { authorizationCode: { authorizationUrl: /authorize, tokenUrl: /token, scopes: {} } } }
    Machine: { type: oauth2, flows: { clientCredentials: { tokenUrl: /token, scopes: { read: read } } } }
`,
);

const doc = (security: string, extra = '') => `${ARAZZO_HEAD}
workflows:
  - workflowId: secured
    inputs:
      type: object
      properties:
        key: { type: string }
        token: { type: string }
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{ name: id, in: path, value: p1 }${extra}]
        x-security:
${security}
`;

async function diagnose(security: string, extra?: string) {
  const result = await compileWorkflowResult(doc(security, extra), OPENAPI);
  return { result, found: result.diagnostics.filter((d) => /^ASFN(103[0-4]|202[2-5])$/.test(d.code)).map((d) => `${d.code} ${d.message}`) };
}

describe('x-security in the plan', () => {
  it('resolves schemeName against the source, keeps Respect value names, and makes the inputs it reads credentials', async () => {
    const { result, found } = await diagnose('          - schemeName: ApiKey\n            values: { apiKey: $inputs.key }');
    expect(found).toEqual([]);
    const plan = result.workflows[0].plan;
    expect(plan.credentialInputs).toContain('key');
    const step = plan.steps[0] as StepPlan;
    expect(step.auth).toEqual([{ schemeName: 'ApiKey', scheme: { type: 'apiKey', in: 'header', name: 'X-Api-Key' }, values: { apiKey: '$inputs.key' } }]);
    expect(step.credentialInputs).toEqual(['key']);
  });

  it.each([
    [
      '          - schemeName: Nope\n            values: { apiKey: $inputs.key }',
      'ASFN1031 schemeName "Nope" names no security scheme in components.securitySchemes of source "pets"',
    ],
    [
      '          - schemeName: ApiKey\n            scheme: { type: http, scheme: bearer }\n            values: { token: $inputs.token }',
      'ASFN1030 x-security[0] has both scheme and schemeName',
    ],
    ['          - schemeName: Bearer\n            values: {}', 'ASFN1032 the bearer scheme needs values token'],
    ['          - schemeName: Machine\n            values: { clientId: app }', 'ASFN1032 the oauth2 scheme needs values accessToken, or clientSecret'],
    ['          - schemeName: Bearer\n            values: { token: my-literal-token }', 'ASFN1033 x-security[0].values.token is a literal'],
    ['          - schemeName: Digest\n            values: { username: u, password: $inputs.key }', 'ASFN1034 http scheme "digest" is not supported'],
    [
      '          - schemeName: Code\n            values: { clientId: app, clientSecret: $inputs.key }',
      'ASFN1034 an oauth2 scheme without accessToken needs flows.clientCredentials.tokenUrl',
    ],
    ['          - schemeName: Bearer\n            values: { token: $inputs.token, tokn: x }', 'ASFN2022 value "tokn" is not used by a http scheme'],
  ])('reports %#', async (security, expected) => {
    const { found } = await diagnose(security);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it('warns when x-security replaces a parameter of the step (ASFN2023), and accepts an access token as Respect does', async () => {
    const { found, result } = await diagnose(
      '          - schemeName: Code\n            values: { accessToken: $inputs.token }',
      ', { name: Authorization, in: header, value: x }',
    );
    expect(found.map((f) => f.slice(0, 8))).toEqual(['ASFN2023']);
    expect(result.workflows).toHaveLength(1);
  });
  it('resolves a qualified $sourceDescriptions.<name>.<scheme>, and warns on an unqualified workflow-level schemeName when there are several sources (ASFN2025)', async () => {
    const twoSources = (schemeName: string) => `
arazzo: 1.0.1
info: { title: two sources, version: 1.0.0 }
sourceDescriptions:
  - { name: pets, url: ./openapi.yml, type: openapi }
  - { name: other, url: ./other.yml, type: openapi }
workflows:
  - workflowId: w
    inputs: { type: object, properties: { token: { type: string } } }
    x-security:
      - schemeName: ${schemeName}
        values: { token: $inputs.token }
    steps:
      - stepId: read
        operationId: $sourceDescriptions.pets.getPet
        parameters: [{ name: id, in: path, value: p1 }]
`;
    const files = {
      'openapi.yml': OPENAPI,
      'other.yml': PETS_OPENAPI.replace('title: Pets', 'title: Other').replace(/operationId: (\w+)/g, 'operationId: other$1'),
    };
    const qualified = await compileWorkflowResult(twoSources('$sourceDescriptions.pets.Bearer'), files);
    expect(qualified.diagnostics.filter((d) => d.code.startsWith('ASFN10') || /^ASFN202/.test(d.code))).toEqual([]);
    expect((qualified.workflows[0].plan.steps[0] as StepPlan).auth?.[0].scheme).toEqual({ type: 'http', scheme: 'bearer' });
    const plain = await compileWorkflowResult(twoSources('Bearer'), files);
    expect(plain.diagnostics.map((d) => d.code)).toContain('ASFN2025');
    expect(plain.workflows).toHaveLength(1);
    const elsewhere = await compileWorkflowResult(twoSources('$sourceDescriptions.other.Bearer'), files);
    expect(elsewhere.diagnostics.filter((d) => d.code === 'ASFN1031').map((d) => d.message)).toEqual([
      'schemeName "$sourceDescriptions.other.Bearer" names no security scheme in components.securitySchemes of source "other"',
    ]);
  });

  it('lints x-security values as request-time expressions: an input the schema does not declare (ASFN2014)', async () => {
    const { result } = await diagnose('          - schemeName: Bearer\n            values: { token: $inputs.tokne }');
    expect(result.diagnostics.filter((d) => d.code === 'ASFN2014').map((d) => d.pointer)).toEqual(['/workflows/0/steps/0/x-security/0/values/token']);
  });

  it('warns that x-security on a step running a workflow is not applied (ASFN2024)', async () => {
    const result = await compileWorkflowResult(
      `${ARAZZO_HEAD}
workflows:
  - workflowId: child
    steps:
      - { stepId: read, operationId: getPet, parameters: [{ name: id, in: path, value: p1 }] }
  - workflowId: parent
    steps:
      - stepId: run
        workflowId: child
        x-security:
          - schemeName: Bearer
            values: { token: $inputs.token }
`,
      OPENAPI,
    );
    expect(result.diagnostics.filter((d) => d.code === 'ASFN2024').map((d) => d.pointer)).toEqual(['/workflows/1/steps/0/x-security']);
  });
  it("requests a token with the scopes the operation's security requirement names for the scheme, unless scope is given", async () => {
    const secured = OPENAPI.replace(
      '      operationId: getPet\n',
      '      operationId: getPet\n      security: [{ Machine: [read, write] }, { Machine: [admin] }]\n',
    );
    const entry = (values: string) => `          - schemeName: Machine\n            values: { clientId: app, clientSecret: $inputs.token${values} }`;
    const auth = async (values: string) => ((await compileWorkflowResult(doc(entry(values)), secured)).workflows[0].plan.steps[0] as StepPlan).auth?.[0].values;
    expect(await auth('')).toEqual({ clientId: 'app', clientSecret: '$inputs.token', scope: 'read write' });
    expect(await auth(', scope: read')).toEqual({ clientId: 'app', clientSecret: '$inputs.token', scope: 'read' });
  });
  it('refuses a default for an input an x-security credential reads (ASFN1033)', async () => {
    const withDefault = doc('          - schemeName: Bearer\n            values: { token: $inputs.token }').replace(
      'token: { type: string }',
      'token: { type: string, default: some-password }',
    );
    const result = await compileWorkflowResult(withDefault, OPENAPI);
    expect(result.diagnostics.filter((d) => d.code === 'ASFN1033').map((d) => d.pointer)).toEqual(['/workflows/0/inputs/properties/token/default']);
    expect(result.workflows).toEqual([]);
  });
});
