// Signing declarations in the plan (compiler/plan/plan-signing.ts): by configuration for seed
// 001's PIS source, and as x-arazzo-sfn-signing on a security scheme of a description.
import { describe, expect, it } from 'vitest';
import type { StepPlan } from '../../../core/plan.js';
import { compileFile } from '../../../compiler/index.js';
import { ARAZZO_HEAD, compileWorkflowResult, PETS_OPENAPI } from '../../constructs/support/index.js';

const SEED_001 = new URL('../../../workflows/arazzo/token-then-payment.arazzo.yml', import.meta.url).pathname;
const FINTECTURE = {
  scheme: 'draft-cavage',
  algorithm: 'rsa-sha256',
  components: ['(request-target)', 'date', 'digest', 'x-request-id'],
  key: 'fintecture-signing',
  keyId: 'sandbox-app-id',
};
/** A declaration that is refused signs nothing: seed 001's payment creation then lacks the headers its description requires. */
const UNSIGNED_PAYMENT = ['ASFN2039 Signature', 'ASFN2039 Digest', 'ASFN2010 Date'];
const unsignedPayment = (found: string[]) => found.slice(1).map((m) => `${m.slice(0, 8)} ${/"(Signature|Digest|Date)"/.exec(m)?.[1]}`);
const signingCodes = (diagnostics: readonly { code: string; message: string }[]) =>
  diagnostics.filter((d) => /^ASFN(105[0-4]|20(10|3[89]|4[01])|1120|2120)$/.test(d.code)).map((d) => `${d.code} ${d.message}`);

describe('signing in the plan', () => {
  it("configured for seed 001's PIS source: the steps that declare Signature are signed, Date/Digest/Signature count as supplied", async () => {
    const result = await compileFile(SEED_001, { signing: { pisApi: FINTECTURE } });
    expect(signingCodes(result.diagnostics)).toEqual([]);
    const steps = result.workflows[0].plan.steps as StepPlan[];
    const connect = steps.find((s) => s.operation?.operationId === 'createPisV2Connect')!;
    expect(connect.signing).toEqual({ ...FINTECTURE, digest: 'digest' });
    // The payment status read declares no Signature header: it is not signed.
    expect(steps.filter((s) => s.signing).map((s) => s.operation.operationId)).toEqual(['createPisV2Connect']);
  });

  it('reports a malformed declaration once (ASFN1050), naming the problem', async () => {
    const result = await compileFile(SEED_001, { signing: { pisApi: { ...FINTECTURE, components: ['(request-target)', '(created)'] } } });
    const found = signingCodes(result.diagnostics);
    expect(found[0]).toBe(
      'ASFN1050 signing configured for source "pisApi": (created) and (expires) cannot be covered with rsa-sha256 (draft-cavage-12 §2.3): use hs2019',
    );
    expect(unsignedPayment(found)).toEqual(UNSIGNED_PAYMENT);
    const key = await compileFile(SEED_001, { signing: { pisApi: { ...FINTECTURE, key: '-----BEGIN PRIVATE KEY-----\nMIIE' } } });
    expect(signingCodes(key.diagnostics)[0]).toContain('key must be the name of a signing key, never key material');
  });

  const OPENAPI = PETS_OPENAPI.replace(
    'components:\n',
    `components:
  securitySchemes:
    Signed:
      type: apiKey
      in: header
      name: Signature
      x-arazzo-sfn-signing:
        scheme: rfc9421
        algorithm: ed25519
        components: ['@method', '@path', content-digest, x-trace-id]
        key: pets-key
        keyId: pets-1
`,
  ).replace('      operationId: getPet\n', '      operationId: getPet\n      security: [{ Signed: [] }]\n');
  const doc = (parameters: string) => `${ARAZZO_HEAD}
workflows:
  - workflowId: signed
    steps:
      - stepId: read
        operationId: getPet
        parameters: [{ name: id, in: path, value: p1 }${parameters}]
`;

  it('reads x-arazzo-sfn-signing on a security scheme the operation requires; warns on a covered header nothing sets (ASFN2040)', async () => {
    const result = await compileWorkflowResult(doc(''), OPENAPI);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const step = result.workflows[0].plan.steps[0] as StepPlan;
    expect(step.signing).toMatchObject({ scheme: 'rfc9421', algorithm: 'ed25519', digest: 'content-digest', schemeName: 'Signed', key: 'pets-key' });
    expect(signingCodes(result.diagnostics)).toEqual([
      'ASFN2040 step "read": the signing declaration (Signed) covers header "x-trace-id", which no parameter of the step sets: the step fails when it signs',
    ]);
  });

  it('warns when a parameter sets a header the declaration produces: the signature wins (ASFN2038)', async () => {
    const result = await compileWorkflowResult(doc(', { name: X-Trace-Id, in: header, value: t }, { name: Content-Digest, in: header, value: x }'), OPENAPI);
    expect(signingCodes(result.diagnostics)).toEqual([
      'ASFN2038 header "Content-Digest" is set by the signing declaration (Signed) when the request is signed: its value replaces this parameter\'s',
    ]);
  });

  it('warns when an operation requires a signature header nothing supplies or produces (ASFN2039), instead of ASFN2010', async () => {
    const openapi = PETS_OPENAPI.replace(
      '      operationId: getPet\n      parameters:\n',
      '      operationId: getPet\n      parameters:\n        - { name: Signature, in: header, required: true, schema: { type: string } }\n',
    );
    const result = await compileWorkflowResult(doc(''), openapi);
    const found = signingCodes(result.diagnostics);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(
      'ASFN2039 step "read": operation getPet requires the signature header "Signature", which no parameter supplies and no signing declaration produces',
    );
  });

  it('takes a keyId that reads the inputs ($inputs.clientId, {$inputs.x} in text): kept for send time, its credential input sent to the step', async () => {
    const result = await compileFile(SEED_001, { signing: { pisApi: { ...FINTECTURE, keyId: '$inputs.clientId' } } });
    expect(signingCodes(result.diagnostics)).toEqual([]);
    const connect = (result.workflows[0].plan.steps as StepPlan[]).find((s) => s.operation?.operationId === 'createPisV2Connect')!;
    expect(connect.signing!.keyId).toBe('$inputs.clientId');
    // clientId is a credential input: the signing step may now read it (on AWS, its secret).
    expect(connect.credentialInputs).toContain('clientId');
    const templated = await compileFile(SEED_001, { signing: { pisApi: { ...FINTECTURE, keyId: 'merchant-{$inputs.clientId}' } } });
    expect(signingCodes(templated.diagnostics)).toEqual([]);
  });

  it('refuses a keyId expression that does not parse or reads anything but the inputs (ASFN1120); warns on an undeclared input (ASFN2120)', async () => {
    const steps = await compileFile(SEED_001, { signing: { pisApi: { ...FINTECTURE, keyId: '$steps.mintToken.outputs.access_token' } } });
    expect(signingCodes(steps.diagnostics)[0]).toBe(
      'ASFN1120 signing configured for source "pisApi": keyId reads $steps.mintToken.outputs.access_token: it may read only $inputs (known when the execution starts), never a step\'s outputs or the request or response being signed',
    );
    expect(unsignedPayment(signingCodes(steps.diagnostics))).toEqual(UNSIGNED_PAYMENT);
    expect(steps.workflows).toEqual([]);
    const response = await compileFile(SEED_001, { signing: { pisApi: { ...FINTECTURE, keyId: 'app-{$request.header.x-request-id}' } } });
    expect(signingCodes(response.diagnostics)[0]).toMatch(/^ASFN1120 .*keyId reads \$request\.header\.x-request-id: it may read only \$inputs/);
    const broken = await compileFile(SEED_001, { signing: { pisApi: { ...FINTECTURE, keyId: '{$inputs.clientId' } } });
    expect(signingCodes(broken.diagnostics)[0]).toMatch(/^ASFN1120 signing configured for source "pisApi": keyId "\{\$inputs\.clientId" is not a valid runtime expression: /);
    const undeclared = await compileFile(SEED_001, { signing: { pisApi: { ...FINTECTURE, keyId: '$inputs.applicationId' } } });
    expect(signingCodes(undeclared.diagnostics)).toEqual([
      'ASFN2120 step "createPayment" signs with keyId "$inputs.applicationId", which reads input "applicationId" that workflow "token-then-payment" does not declare (its inputs: clientId, clientSecret, amount, currency, communication, requestId): the step fails when it signs unless the execution input has it',
    ]);
  });
});
