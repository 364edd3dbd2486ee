// ArazzoWorkflow with seed 001 signed by configuration (the signing prop) and a KMS signing key
// (signingKeys): kms:Sign is granted on that key to the payment-creation function only, which is
// told the key's ARN; synthesized offline.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { functionKeysByLogicalId, SEED_001, statementsOfRole } from './support/synth-seeds.js';

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
});
