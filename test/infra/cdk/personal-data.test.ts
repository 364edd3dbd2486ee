import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { DescribeExecutionCommand, ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { HandlerEnvironment } from '../../../functions/handlers/environment.js';
import { startSealed, type TriggerMapping } from '../../../functions/runtime/personal/start-sealed.js';
import { AesGcmSealer, isSealed, secretForms } from '../../../functions/runtime/secrets/index.js';
import { startSfnEndpoint, type SfnEndpoint } from '../../../local/sfn-endpoint/index.js';
import { pageHistory, sfnClient, tempDir, waitForEnd } from '../../local/sfn-endpoint/support/endpoint-harness.js';
import { asArray, statementsOfRole } from './support/synth-seeds.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/personal/onboarding.arazzo.yml');
const EMAIL = 'li.wei.onboarding@example.net';
const IBAN = 'DE89370400440532013000';

describe('ArazzoWorkflow with personal inputs: the trigger starts executions through a starter that seals them (issue 19 §4)', () => {
  let template: Template;
  let workflow: ArazzoWorkflow;
  beforeAll(() => {
    // GIVEN a workflow whose inputs schema marks e-mail and holder name and IBAN personal, configured to mark `plan` too, with a trigger
    const stack = new Stack(new App(), 'Test');
    workflow = new ArazzoWorkflow(stack, 'Onboard', {
      arazzoFile: FIXTURE,
      workflowId: 'onboard',
      personalData: ['plan'],
      trigger: { eventPattern: { source: ['shop.signup'] }, input: { email: events.EventField.fromPath('$.detail.email'), holder: events.EventField.fromPath('$.detail.holder'), plan: 'gold' } },
    });
    template = Template.fromStack(stack);
  }, 180_000);

  const starterId = () => stackId(workflow.starter!);
  const stackId = (c: { node: { defaultChild?: unknown } }) => Stack.of(workflow).getLogicalId((c.node.defaultChild as never) ?? (c as never));
  const roleStatements = (functionId: string) => statementsOfRole(template, template.findResources('AWS::Lambda::Function')[functionId].Properties.Role['Fn::GetAtt'][0]);

  it('targets the starter function, not the state machine, so the event never becomes an execution input', () => {
    expect(workflow.compiled.plan.personalInputs).toEqual(['plan', 'email', 'holder.name', 'holder.iban']);
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [starterId(), 'Arn'] });
    // The whole event goes to the function (no input transformer): it picks and seals.
    expect(rule.Properties.Targets[0].InputTransformer).toBeUndefined();
    expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: Match.anyValue() } } });
  });

  it('the starter may only start executions through the alias and seal; the input check may open (to check the schema)', () => {
    const starter = roleStatements(starterId());
    expect(starter.filter((s) => asArray(s.Action).includes('states:StartExecution')).map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [Stack.of(workflow).getLogicalId(workflow.alias), 'Arn'] }]);
    const kmsActions = starter.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('kms:'))).flatMap((s) => asArray(s.Action));
    expect(kmsActions).toEqual(['kms:GenerateDataKey']);
    const workflowFunction = stackId(workflow.functions['onboard.workflow']);
    expect(roleStatements(workflowFunction).flatMap((s) => asArray(s.Action))).toContain('kms:Decrypt');
    const env = template.findResources('AWS::Lambda::Function')[starterId()].Properties.Environment.Variables;
    expect(JSON.parse(env[HandlerEnvironment.triggerMapping])).toEqual({ kind: 'paths', paths: { email: '$.detail.email', holder: '$.detail.holder' }, constants: { plan: 'gold' } });
  });

  describe('the starter logic, with the synthesized mapping, against the local endpoint (the real SDK client)', () => {
    let server: Server;
    let endpoint: SfnEndpoint;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    const key = Buffer.alloc(32, 9);
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"cus_9"}'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      tmp = await tempDir();
      endpoint = await startSfnEndpoint({ dbFile: tmp.db, workflowFiles: [FIXTURE], serverUrls: { api: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, sealKey: key });
    });
    afterAll(async () => {
      await endpoint?.close();
      await tmp?.remove();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('an EventBridge event becomes an execution named after its id, with only the mapped inputs, personal ones sealed; a retried delivery starts nothing', async () => {
      const env = template.findResources('AWS::Lambda::Function')[starterId()].Properties.Environment.Variables;
      const mapping = JSON.parse(env[HandlerEnvironment.triggerMapping]) as TriggerMapping;
      const client = sfnClient(endpoint);
      const stateMachineArn = endpoint.stateMachines.find((m) => m.name === 'onboard')!.arn;
      const event = { id: 'evt-7f3a', 'detail-type': 'SignedUp', source: 'shop.signup', detail: { email: EMAIL, holder: { name: 'Li Wei', iban: IBAN, country: 'DE' }, marketing: 'Li Wei likes cats' } };
      const start = async (name: string | undefined, input: string) => {
        try {
          return { executionArn: (await client.send(new StartExecutionCommand({ stateMachineArn, input, name }))).executionArn };
        } catch (err) {
          if (err instanceof ExecutionAlreadyExists) return { alreadyStarted: true };
          throw err;
        }
      };
      try {
        const sealer = new AesGcmSealer(key);
        const started = await startSealed(workflow.compiled.plan, event, mapping, sealer, start);
        expect(started.executionArn).toMatch(/:execution:onboard:evt-7f3a$/);
        expect(await startSealed(workflow.compiled.plan, event, mapping, sealer, start)).toEqual({ alreadyStarted: true });
        const described = await waitForEnd(client, started.executionArn!);
        expect(described.status).toBe('SUCCEEDED');
        const input = JSON.parse(described.input!) as Record<string, any>;
        expect(Object.keys(input).sort()).toEqual(['email', 'holder', 'plan']);
        expect(isSealed(input.email) && isSealed(input.holder.iban) && isSealed(input.plan)).toBe(true);
        const text = JSON.stringify(described) + JSON.stringify(await pageHistory(client, started.executionArn!)) + (await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))).output;
        expect([EMAIL, IBAN, 'Li Wei likes cats'].filter((v) => secretForms(v).some((f) => text.includes(f)))).toEqual([]);
      } finally {
        client.destroy();
      }
    }, 30_000);
  });
});
