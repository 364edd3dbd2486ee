// ArazzoWorkflow with seed 001 signed by configuration (the signing prop) and a KMS signing key
// (signingKeys), given or created by the construct: kms:Sign is granted on that key to the
// payment-creation function only, which is told the key's ARN; synthesized offline.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ArazzoSigningKey, ArazzoWorkflow, type ArazzoWorkflowProps } from '../../../infra/cdk/arazzo-workflow.js';
import { acknowledgeArazzoWorkflowFindings } from '../../../infra/cdk/nag-suppressions.js';
import { functionKeysByLogicalId, SEED_001, statementsOfRole } from './support/synth-seeds.js';

const PIS_SIGNING = {
  pisApi: { scheme: 'draft-cavage', algorithm: 'rsa-sha256', components: ['(request-target)', 'date', 'digest', 'x-request-id'], key: 'fintecture-signing', keyId: 'app-1' },
} as const;

/** Seed 001 signed by configuration, without bundling (the template is what is checked). */
function seed001(signingKeys: ArazzoWorkflowProps['signingKeys'], signing: ArazzoWorkflowProps['signing'] = PIS_SIGNING) {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');
  const app = new secretsmanager.Secret(stack, 'App');
  const workflow = new ArazzoWorkflow(stack, 'Workflow', {
    arazzoFile: SEED_001,
    workflowId: 'token-then-payment',
    secrets: { clientId: { secret: app, jsonKey: 'clientId' }, clientSecret: { secret: app, jsonKey: 'clientSecret' } },
    signing,
    signingKeys,
  });
  return { stack, workflow };
}

describe('ArazzoWorkflow: signed requests', () => {
  it('grants kms:Sign on the signing key to the functions whose steps sign, and to no other', () => {
    // GIVEN seed 001, its PIS source signed by configuration with a KMS key
    const stack = new Stack(new App(), 'Test');
    const key = new kms.Key(stack, 'PisSigning', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    const app = new secretsmanager.Secret(stack, 'App');
    new ArazzoWorkflow(stack, 'Workflow', {
      arazzoFile: SEED_001,
      workflowId: 'token-then-payment',
      secrets: { clientId: { secret: app, jsonKey: 'clientId' }, clientSecret: { secret: app, jsonKey: 'clientSecret' } },
      signing: {
        pisApi: { scheme: 'draft-cavage', algorithm: 'rsa-sha256', components: ['(request-target)', 'date', 'digest', 'x-request-id'], key: 'fintecture-signing', keyId: 'app-1' },
      },
      signingKeys: { 'fintecture-signing': key },
    });
    const template = Template.fromStack(stack);
    const keyLogicalId = Object.keys(template.findResources('AWS::KMS::Key')).find((id) => id.startsWith('PisSigning'))!;
    // THEN only the createPisV2Connect function may sign, on that key, and knows its ARN
    const functions = template.findResources('AWS::Lambda::Function');
    const signers: string[] = [];
    for (const [logicalId, f] of Object.entries(functionKeysByLogicalId(template))) {
      const fn = functions[logicalId];
      const statements = statementsOfRole(template, fn.Properties.Role['Fn::GetAtt'][0]);
      const sign = statements.filter((s) => [s.Action].flat().includes('kms:Sign'));
      if (!sign.length) continue;
      signers.push(f.functionKey);
      expect(sign).toEqual([{ Action: 'kms:Sign', Effect: 'Allow', Resource: { 'Fn::GetAtt': [keyLogicalId, 'Arn'] } }]);
      expect(JSON.stringify(fn.Properties.Environment.Variables.ARAZZO_SIGNING_KEYS)).toContain(keyLogicalId);
    }
    expect(signers).toEqual(['pisApi.createPisV2Connect']);
  }, 240_000);

  it('creates the key when asked: RSA_2048 SIGN_VERIFY, retained, a key policy that lets only the signing function sign, its ARN an output', () => {
    // GIVEN seed 001 signed with a key the construct creates
    const { stack, workflow } = seed001({ 'fintecture-signing': ArazzoSigningKey.create() });
    const template = Template.fromStack(stack);
    // THEN there is one asymmetric signing key, kept when the stack (or the key's resource) goes
    const keys = template.findResources('AWS::KMS::Key');
    const created = Object.entries(keys).filter(([id]) => id.includes('SigningKey'));
    expect(created).toHaveLength(1);
    const [keyLogicalId, key] = created[0];
    expect(key.Properties).toMatchObject({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    expect(key.Properties.EnableKeyRotation).toBeUndefined();
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
    expect(workflow.signingKeys['fintecture-signing'].keyArn).toBeDefined();
    // AND its policy: the account administers it and reads its public key (kms:Get*), nothing else may sign but the function
    const statements = key.Properties.KeyPolicy.Statement as Record<string, any>[];
    const signing = statements.filter((st) => [st.Action].flat().some((a: string) => a === 'kms:Sign' || a === 'kms:*' || a === 'kms:Sign*'));
    const signerRoles = Object.entries(functionKeysByLogicalId(template))
      .filter(([, f]) => f.functionKey === 'pisApi.createPisV2Connect')
      .map(([id]) => template.findResources('AWS::Lambda::Function')[id].Properties.Role['Fn::GetAtt'][0]);
    expect(signerRoles).toHaveLength(1);
    expect(signing).toEqual([
      {
        Sid: 'SignForArazzoWorkflowFunctions',
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
        Action: 'kms:Sign',
        Resource: '*',
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [signerRoles[0], 'Arn'] }] },
          StringEquals: { 'kms:SigningAlgorithm': ['RSASSA_PKCS1_V1_5_SHA_256'], 'kms:MessageType': 'RAW' },
        },
      },
    ]);
    const admin = statements.find((st) => st.Sid === 'KeyAdministration')!;
    expect(admin.Action).toContain('kms:Get*');
    expect(admin.Action.filter((a: string) => /^kms:(Sign|Verify|Encrypt|Decrypt|GenerateDataKey|ReEncrypt|\*)/.test(a))).toEqual([]);
    // AND only that function's role is granted kms:Sign, on that key
    for (const [logicalId] of Object.entries(functionKeysByLogicalId(template))) {
      const role = template.findResources('AWS::Lambda::Function')[logicalId].Properties.Role['Fn::GetAtt'][0];
      const sign = statementsOfRole(template, role).filter((st) => [st.Action].flat().includes('kms:Sign'));
      expect(sign).toEqual(role === signerRoles[0] ? [{ Action: 'kms:Sign', Effect: 'Allow', Resource: { 'Fn::GetAtt': [keyLogicalId, 'Arn'] } }] : []);
    }
    // AND the key's ARN is an output that says how to fetch its public key
    const outputs = Object.entries(template.findOutputs('*')).filter(([id]) => id.includes('SigningKeyFintectureSigningArn'));
    expect(outputs).toHaveLength(1);
    expect(outputs[0][1].Value).toEqual({ 'Fn::GetAtt': [keyLogicalId, 'Arn'] });
    expect(outputs[0][1].Description).toContain('npx arazzo-sfn public-key <this ARN> --format pem');
  }, 120_000);

  it('passes cdk-nag AwsSolutions with a created signing key, with no acknowledgement of its own', () => {
    const { stack, workflow } = seed001({ 'fintecture-signing': ArazzoSigningKey.create() });
    acknowledgeArazzoWorkflowFindings(workflow);
    const violations = new AwsSolutionsChecks(stack.node.root).validateScope(stack.node.root).violations;
    // The app secret's rotation is the app's to decide (as for every workflow); nothing about the key.
    expect(violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-SMG4']);
  }, 120_000);

  it('chooses ECC_NIST_P256 for ecdsa-p256-sha256, and refuses a spec that cannot sign the declared algorithm or a created key nothing signs with', () => {
    const ecdsa = { pisApi: { ...PIS_SIGNING.pisApi, scheme: 'rfc9421', algorithm: 'ecdsa-p256-sha256', components: ['@method', '@path', 'content-digest'] } } as const;
    const { stack } = seed001({ 'fintecture-signing': ArazzoSigningKey.create() }, ecdsa);
    const key = Object.entries(Template.fromStack(stack).findResources('AWS::KMS::Key')).find(([id]) => id.includes('SigningKey'))![1];
    expect(key.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const statement = (key.Properties.KeyPolicy.Statement as Record<string, any>[]).find((st) => st.Sid === 'SignForArazzoWorkflowFunctions')!;
    expect(statement.Condition.StringEquals['kms:SigningAlgorithm']).toEqual(['ECDSA_SHA_256']);
    expect(() => seed001({ 'fintecture-signing': ArazzoSigningKey.create({ keySpec: kms.KeySpec.ECC_NIST_P256 }) })).toThrow(
      'Test/Workflow: signingKeys.fintecture-signing: a ECC_NIST_P256 key cannot sign with rsa-sha256, which steps of workflow token-then-payment use; it needs RSA_2048 or RSA_3072 or RSA_4096',
    );
    expect(() => seed001({ 'fintecture-signing': ArazzoSigningKey.create(), spare: ArazzoSigningKey.create() })).toThrow(
      'Test/Workflow: signingKeys.spare: no step of workflow token-then-payment signs with key "spare" (they use: fintecture-signing)',
    );
  }, 120_000);

  it('takes an existing key through ArazzoSigningKey.fromKey as it takes a kms.IKey, creating none', () => {
    const stack = new Stack(new App(), 'Keys');
    const existing = kms.Key.fromKeyArn(stack, 'Existing', 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555');
    const { stack: wfStack, workflow } = seed001({ 'fintecture-signing': ArazzoSigningKey.fromKey(existing) });
    expect(Object.keys(Template.fromStack(wfStack).findResources('AWS::KMS::Key')).filter((id) => id.includes('SigningKey'))).toEqual([]);
    expect(workflow.signingKeys['fintecture-signing'].keyArn).toBe(existing.keyArn);
    expect(Object.keys(Template.fromStack(wfStack).findOutputs('*')).filter((id) => id.includes('SigningKey'))).toEqual([]);
  }, 120_000);
});
