import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { asArray, functionKeysByLogicalId, ROOT, statementsOfRole, webhooksByWorkflowId } from './support/synth-seeds.js';

const ORDERS = join(ROOT, 'test/fixtures/asyncapi/orders.arazzo.yml');

const roleOf = (template: Template, functionLogicalId: string) =>
  template.findResources('AWS::Lambda::Function')[functionLogicalId].Properties.Role['Fn::GetAtt'][0] as string;
const actionsOf = (statements: Record<string, any>[]) => statements.flatMap((s) => asArray<string>(s.Action));

describe('ArazzoWorkflow: an AsyncAPI receive step (Arazzo 1.1)', () => {
  let template: Template;
  let receiveFn: string;
  let webhookFn: string;

  beforeAll(() => {
    // GIVEN the orders fixture: an HTTP send, then a receive step correlated on the order request id
    const stack = new Stack(new App(), 'Test');
    new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: ORDERS, workflowId: 'placeOrder' });
    template = Template.fromStack(stack);
    receiveFn = Object.entries(functionKeysByLogicalId(template)).find(([, f]) => f.functionKey === 'orders.confirmOrder.receive')![0];
    webhookFn = webhooksByWorkflowId(template).placeOrder;
    // Synth bundles four functions with esbuild: seconds, more on a loaded machine.
  }, 180_000);

  it('waits on a waitForTaskToken Task bounded by the step timeout, resumed through the callback receiver (its Function URL)', () => {
    const definition = JSON.parse(JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'))) as Record<string, any>;
    const body = JSON.stringify(Object.values(definition)[0].Properties.DefinitionString);
    expect(body).toContain('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(body).toContain('Arazzo.MessageTimeout');
    expect(webhookFn).toBeDefined();
    expect(template.findResources('AWS::Lambda::Url')).not.toEqual({});
  });

  it("lets the receive step's function register and settle (UpdateItem), read its earlier turn (GetItem), take a message that came first (DeleteItem) and resume its own Task, and nothing more", () => {
    const statements = statementsOfRole(template, roleOf(template, receiveFn));
    const actions = actionsOf(statements);
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actions).toEqual(expect.arrayContaining(['states:SendTaskSuccess', 'states:SendTaskFailure']));
    const env = template.findResources('AWS::Lambda::Function')[receiveFn].Properties.Environment.Variables;
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['ARAZZO_CALLBACK_TABLE']));
  });

  it('lets the receiver seal a message that came first (kms:GenerateDataKey) and the receive step open it (kms:Decrypt), both only under the seal context', () => {
    const kms = (fn: string) => statementsOfRole(template, roleOf(template, fn)).filter((s) => actionsOf([s]).some((a) => a.startsWith('kms:')));
    const [sealing] = kms(webhookFn);
    expect(asArray<string>(sealing.Action)).toContain('kms:GenerateDataKey');
    expect(sealing.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:arazzo-sfn-seal-context': expect.any(String) } });
    const [opening] = kms(receiveFn);
    expect(asArray<string>(opening.Action)).toContain('kms:Decrypt');
    expect(opening.Condition).toEqual(sealing.Condition);
    expect(template.findResources('AWS::Lambda::Function')[receiveFn].Properties.Environment.Variables).toHaveProperty('ARAZZO_SEAL_KEY_ID');
  });

  it("lets the receiver keep a message nobody waits for yet (PutItem) besides reading and settling, and the send step's function touch no table", () => {
    const actions = actionsOf(statementsOfRole(template, roleOf(template, webhookFn)));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem']));
    expect(actions).not.toContain('dynamodb:DeleteItem');
    const sendFn = Object.entries(functionKeysByLogicalId(template)).find(([, f]) => f.functionKey === 'orders.placeOrder.send')![0];
    expect(actionsOf(statementsOfRole(template, roleOf(template, sendFn))).filter((a) => a.startsWith('dynamodb:') || a.startsWith('states:'))).toEqual([]);
  });
});
