import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { asArray, functionKeysByLogicalId, ROOT, statementsOfRole } from './support/synth-seeds.js';

/** A workflow-level x-security oauth2 scheme: both operation functions send the client credentials, so both (and only they) read the secret. */
const CLIENT_CREDENTIALS = join(ROOT, 'test/fixtures/x-security/fintecture-client-credentials.arazzo.yml');

describe('ArazzoWorkflow with x-security', () => {
  it('lets each function whose step applies an x-security credential read its secret, and no other', () => {
    // GIVEN a stack with the workflow and one JSON secret for the client
    const stack = new Stack(new App(), 'Test');
    const app = new secretsmanager.Secret(stack, 'App');
    // WHEN the workflow binds both x-security credential inputs to it
    new ArazzoWorkflow(stack, 'Workflow', {
      arazzoFile: CLIENT_CREDENTIALS,
      workflowId: 'client-credentials',
      secrets: { clientId: { secret: app, jsonKey: 'clientId' }, clientSecret: { secret: app, jsonKey: 'clientSecret' } },
    });
    // THEN both operation functions may read it, and the workflow function may not
    const template = Template.fromStack(stack);
    const keys = functionKeysByLogicalId(template);
    const fn = (key: string) => Object.entries(keys).find(([, f]) => f.functionKey === key)![0];
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    const readable = (key: string) => {
      const role = template.findResources('AWS::Lambda::Function')[fn(key)].Properties.Role['Fn::GetAtt'][0] as string;
      return statementsOfRole(template, role)
        .filter((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue'))
        .flatMap((s) => asArray(s.Resource).map((r: { Ref: string }) => r.Ref));
    };
    expect(readable('customersApi.createCustomer')).toEqual([secretId]);
    expect(readable('customersApi.getCustomerById')).toEqual([secretId]);
    expect(readable('client-credentials.workflow')).toEqual([]);
  }, 120_000);

  it('fails to synthesize when an x-security credential input has no secret, naming the steps and the prop', () => {
    expect(() => new ArazzoWorkflow(new Stack(new App(), 'Test'), 'Workflow', { arazzoFile: CLIENT_CREDENTIALS, workflowId: 'client-credentials' })).toThrow(
      /createCustomer.*sends? credential input "clientId", which has no secret: set secrets\.clientId/s,
    );
  });
});
