import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { asArray, functionKeysByLogicalId, ROOT, statementsOfRole } from './support/synth-seeds.js';

/** A mutualTLS scheme (certificate, key, CA from secrets) and an oauth2 scheme whose client proves itself with a private_key_jwt assertion. */
const FIXTURE = join(ROOT, 'test/fixtures/mtls/psd2-bank-accounts.arazzo.yml');

function roleStatements(template: Template, functionKey: string) {
  const keys = functionKeysByLogicalId(template);
  const logicalId = Object.entries(keys).find(([, f]) => f.functionKey === functionKey)![0];
  const fn = template.findResources('AWS::Lambda::Function')[logicalId];
  return { statements: statementsOfRole(template, fn.Properties.Role['Fn::GetAtt'][0] as string), environment: fn.Properties.Environment?.Variables ?? {} };
}

describe('ArazzoWorkflow with mutualTLS and private_key_jwt', () => {
  it('grants the operation function read on exactly the certificate, key, CA and client secrets, and kms:Sign (PS256) on the assertion key', () => {
    // GIVEN one JSON secret for the client's certificate, key and id, one for the bank's CA, and a KMS key for assertions
    const stack = new Stack(new App(), 'Test');
    const tpp = new secretsmanager.Secret(stack, 'Tpp');
    const ca = new secretsmanager.Secret(stack, 'BankCa');
    const unrelated = new secretsmanager.Secret(stack, 'Unrelated');
    const assertionKey = new kms.Key(stack, 'AssertionKey', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    // WHEN the workflow binds them
    new ArazzoWorkflow(stack, 'Workflow', {
      arazzoFile: FIXTURE,
      workflowId: 'list-accounts',
      secrets: {
        clientId: { secret: tpp, jsonKey: 'id' },
        clientCert: { secret: tpp, jsonKey: 'cert' },
        clientKey: { secret: tpp, jsonKey: 'key' },
        caCert: ca,
      },
      signingKeys: { 'bank-assertion-key': assertionKey },
      signingKeySecrets: { unrelated },
    });
    // THEN the accounts function reads the two secrets it sends and signs with the key, and nothing else
    const template = Template.fromStack(stack);
    const ids = (type: string) => Object.keys(template.findResources(type));
    const [tppId, caId] = ['Tpp', 'BankCa'].map((name) => ids('AWS::SecretsManager::Secret').find((id) => id.startsWith(name))!);
    const { statements, environment } = roleStatements(template, 'bank.listAccounts');
    const read = statements.filter((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue')).flatMap((s) => asArray(s.Resource).map((r: { Ref: string }) => r.Ref));
    expect([...new Set(read)].sort()).toEqual([caId, tppId].sort());
    const sign = statements.filter((s) => asArray(s.Action).includes('kms:Sign'));
    expect(sign).toHaveLength(1);
    expect(JSON.stringify(sign[0].Resource)).toContain(ids('AWS::KMS::Key').find((id) => id.startsWith('AssertionKey'))!);
    expect(environment.ARAZZO_SIGNING_KEYS).toBeDefined();
    expect(JSON.stringify(environment.ARAZZO_SIGNING_KEYS)).toContain('bank-assertion-key');
    const { statements: workflowFn } = roleStatements(template, 'list-accounts.workflow');
    expect(workflowFn.filter((s) => asArray(s.Action).some((a: string) => a === 'secretsmanager:GetSecretValue' || a === 'kms:Sign'))).toEqual([]);
  }, 120_000);

  it('a PEM assertion key: read on its secret (signingKeySecrets) by that function; none given: synth fails naming both props', () => {
    const stack = new Stack(new App(), 'Test');
    const tpp = new secretsmanager.Secret(stack, 'Tpp');
    const secrets = { clientId: { secret: tpp, jsonKey: 'id' }, clientCert: { secret: tpp, jsonKey: 'cert' }, clientKey: { secret: tpp, jsonKey: 'key' }, caCert: tpp };
    expect(() => new ArazzoWorkflow(stack, 'Missing', { arazzoFile: FIXTURE, workflowId: 'list-accounts', secrets })).toThrow(
      /signs private_key_jwt client assertions with key "bank-assertion-key": set signingKeys\.bank-assertion-key \(a KMS key\) or signingKeySecrets\.bank-assertion-key/,
    );
    const other = new Stack(new App(), 'Other');
    const tpp2 = new secretsmanager.Secret(other, 'Tpp');
    const pem2 = new secretsmanager.Secret(other, 'AssertionPem');
    new ArazzoWorkflow(other, 'Workflow', {
      arazzoFile: FIXTURE,
      workflowId: 'list-accounts',
      secrets: { clientId: { secret: tpp2, jsonKey: 'id' }, clientCert: { secret: tpp2, jsonKey: 'cert' }, clientKey: { secret: tpp2, jsonKey: 'key' }, caCert: tpp2 },
      signingKeySecrets: { 'bank-assertion-key': pem2 },
    });
    const template = Template.fromStack(other);
    const pemId = Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('AssertionPem'))!;
    const { statements, environment } = roleStatements(template, 'bank.listAccounts');
    const read = statements.filter((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue')).flatMap((s) => asArray(s.Resource).map((r: { Ref: string }) => r.Ref));
    expect(read).toContain(pemId);
    expect(JSON.stringify(environment.ARAZZO_SECRET_IDS)).toContain('bank-assertion-key');
  }, 120_000);
});
