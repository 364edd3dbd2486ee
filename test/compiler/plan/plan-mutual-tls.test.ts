import { describe, expect, it } from 'vitest';
import type { StepPlan } from '../../../core/plan.js';
import { ARAZZO_HEAD, compileWorkflowResult, PETS_OPENAPI } from '../../constructs/support/index.js';

/** PETS_OPENAPI with a mutualTLS scheme the operation requires, and a client-credentials flow. */
const OPENAPI = PETS_OPENAPI.replace(
  'components:\n',
  `security:
  - Mtls: []
components:
  securitySchemes:
    Mtls: { type: mutualTLS }
    Machine: { type: oauth2, flows: { clientCredentials: { tokenUrl: /token, scopes: { read: read } } } }
`,
);

const doc = (security: string) => `${ARAZZO_HEAD}
workflows:
  - workflowId: secured
    inputs:
      type: object
      properties:
        cert: { type: string, format: password }
        key: { type: string, format: password }
        id: { type: string, format: password }
        secret: { type: string, format: password }
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{ name: id, in: path, value: p1 }]
${security ? `        x-security:\n${security}` : ''}
`;

const MTLS = '          - schemeName: Mtls\n            values: { clientCert: $inputs.cert, clientKey: $inputs.key }';

async function diagnose(security: string) {
  const result = await compileWorkflowResult(doc(security), OPENAPI);
  return { result, found: result.diagnostics.filter((d) => /^ASFN(103\d|1115|211[5-7])$/.test(d.code)).map((d) => `${d.code} ${d.message}`) };
}

describe('mutualTLS and private_key_jwt in the plan', () => {
  it('resolves a mutualTLS scheme to the values the handler reads; its certificate and key are credential inputs', async () => {
    const { result, found } = await diagnose(MTLS);
    expect(found).toEqual([]);
    const step = result.workflows[0].plan.steps[0] as StepPlan;
    expect(step.auth).toEqual([{ schemeName: 'Mtls', scheme: { type: 'mutualTLS' }, values: { clientCert: '$inputs.cert', clientKey: '$inputs.key' } }]);
    expect([...step.credentialInputs].sort()).toEqual(['cert', 'key']);
  });

  it('private_key_jwt: clientAssertionKey implies the method; the key name stays a literal in the plan', async () => {
    const { result, found } = await diagnose(`${MTLS}\n          - schemeName: Machine\n            values: { clientId: $inputs.id, clientAssertionKey: tpp-key, clientAssertionAlgorithm: ES256 }`);
    expect(found).toEqual([]);
    const step = result.workflows[0].plan.steps[0] as StepPlan;
    expect(step.auth![1].values).toEqual({ clientId: '$inputs.id', clientAssertionKey: 'tpp-key', clientAssertionAlgorithm: 'ES256', clientAuthMethod: 'private_key_jwt' });
  });

  it.each([
    ['          - schemeName: Mtls\n            values: { clientCert: $inputs.cert }', 'ASFN1032 the mutualTLS scheme needs values clientKey'],
    ['          - schemeName: Mtls\n            values: { clientCert: "-----BEGIN CERTIFICATE-----", clientKey: $inputs.key }', 'ASFN1033 x-security[0].values.clientCert is a literal'],
    [`${MTLS}\n          - schemeName: Machine\n            values: { clientId: $inputs.id, clientAuthMethod: private_key_jwt }`, 'ASFN1032 the oauth2 scheme needs values accessToken, or clientAssertionKey'],
    [`${MTLS}\n          - schemeName: Machine\n            values: { clientId: $inputs.id, clientAssertionKey: "-----BEGIN PRIVATE KEY-----" }`, 'ASFN1115 clientAssertionKey must be the name of a signing key'],
    [`${MTLS}\n          - schemeName: Machine\n            values: { clientId: $inputs.id, clientAssertionKey: $inputs.key }`, 'ASFN1115 clientAssertionKey must be a key name'],
    [`${MTLS}\n          - schemeName: Machine\n            values: { clientId: $inputs.id, clientAssertionKey: k, clientAssertionAlgorithm: HS256 }`, 'ASFN1115 clientAssertionAlgorithm is RS256, PS256, ES256'],
    [`${MTLS}\n          - schemeName: Machine\n            values: { clientId: $inputs.id, clientSecret: $inputs.secret, clientAssertionKey: k, clientAuthMethod: client_secret_basic }`, 'ASFN1115 clientAssertionKey signs a private_key_jwt client assertion, but clientAuthMethod is client_secret_basic'],
    [`${MTLS}\n          - schemeName: Machine\n            values: { clientId: $inputs.id, clientSecret: $inputs.secret, clientAssertionKeyId: kid-1 }`, 'ASFN1115 clientAssertionKeyId is used by a private_key_jwt client assertion only'],
    [`${MTLS}\n          - schemeName: Machine\n            values: { clientId: $inputs.id, clientSecret: $inputs.secret, clientAssertionKey: k }`, 'ASFN2117 clientSecret is not sent'],
    ['          - schemeName: Machine\n            values: { clientId: $inputs.id, clientSecret: $inputs.secret }', 'ASFN2116 the operation requires the mutualTLS scheme "Mtls"'],
    ['          - schemeName: Machine\n            values: { clientId: $inputs.id, clientAuthMethod: tls_client_auth }', 'ASFN1115 clientAuthMethod tls_client_auth proves the client by its TLS certificate'],
  ])('reports %#', async (security, expected) => {
    const { found } = await diagnose(security);
    expect(found.some((f) => f.startsWith(expected)), `${expected}\nin ${JSON.stringify(found)}`).toBe(true);
  });
});
