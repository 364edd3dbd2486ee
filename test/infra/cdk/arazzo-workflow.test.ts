import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Duration, Errors, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWorkflowStep, type StepPlan } from '../../../core/plan.js';
import { compileFileOrThrow } from '../../../compiler/index.js';
import { localResourceFor } from '../../../compiler/emit/index.js';
import { ArazzoWorkflow } from '../../../infra/cdk/arazzo-workflow.js';
import { FINTECTURE_WEBHOOK_APP, fintecturePisSigning, SEED_PERSONAL_DATA } from '../../../infra/seed-declarations.js';
import { createApp } from '../../../infra/app.js';
import { startSealed, type TriggerMapping } from '../../../functions/runtime/personal/start-sealed.js';
import { KMS_SEALED_PREFIX, KmsSealer } from '../../../functions/runtime/secrets/index.js';
import { startAwsStandIn, STAND_IN_CLIENT_CONFIG, type AwsStandIn } from './support/aws-stand-in.js';
import { asArray, DEPLOYED, deployedEnvironment, functionKeysByLogicalId, PAYMENT_WEBHOOK, ROOT, SEED_000, SEED_001, SEED_003, statementsOfRole, synthSeeds, webhooksByWorkflowId, type SynthesizedSeeds } from './support/synth-seeds.js';

const TWO_CREDENTIALS = join(import.meta.dirname, 'fixtures/two-credentials.arazzo.yml');
const CALLBACK = join(import.meta.dirname, 'fixtures/callback/kyc.arazzo.yml');
const NESTED = join(ROOT, 'test/fixtures/nested/onboarding.arazzo.yml');

let seeds: SynthesizedSeeds;
let functionKeys: ReturnType<typeof functionKeysByLogicalId>;

/** KMS for the bundled functions that seal and open personal inputs: a loopback stand-in (a test double) reached by the real SDK. */
let aws: AwsStandIn;
const savedEnv = { ...process.env };

beforeAll(async () => {
  seeds = synthSeeds();
  functionKeys = functionKeysByLogicalId(seeds.template);
  aws = await startAwsStandIn();
  Object.assign(process.env, {
    AWS_REGION: STAND_IN_CLIENT_CONFIG.region,
    AWS_ACCESS_KEY_ID: STAND_IN_CLIENT_CONFIG.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STAND_IN_CLIENT_CONFIG.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_KMS: aws.url,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
}, 360_000);
afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  await aws?.close();
  seeds?.remove();
});

/** The function a definition substitution's Lambda version (`{ Ref: <AWS::Lambda::Version> }`) belongs to: every Task calls a qualified version. */
const functionOfVersion = (template: Template, value: { Ref: string }) => template.findResources('AWS::Lambda::Version')[value.Ref].Properties.FunctionName.Ref as string;
/** The function of each `<function ARN>:*` resource (every version of it) in a statement. */
const functionsOfVersionsArn = (resource: { 'Fn::Join': [string, [{ 'Fn::GetAtt': [string, string] }, string]] }) => {
  expect(resource['Fn::Join'][1][1]).toBe(':*');
  return resource['Fn::Join'][1][0]['Fn::GetAtt'][0];
};
/** The state machine whose alias an ARN (`{ 'Fn::GetAtt': [<alias>, 'Arn'] }`) names: alias → its version → the state machine. */
const machineOfAlias = (template: Template, arn: { 'Fn::GetAtt': [string, string] }) => {
  const alias = template.findResources('AWS::StepFunctions::StateMachineAlias')[arn['Fn::GetAtt'][0]];
  const versionId = alias.Properties.RoutingConfiguration[0].StateMachineVersionArn['Fn::GetAtt'][0] as string;
  return template.findResources('AWS::StepFunctions::StateMachineVersion')[versionId].Properties.StateMachineArn.Ref as string;
};
/** The function of an operation (of `workflowId`, when two deployed workflows call the same operation: seed 001's and the payment webhook's Fintecture calls). */
const logicalIdOf = (functionKey: string, workflowId = functionKey.startsWith('oauthApi.') || functionKey.startsWith('pisApi.') ? 'token-then-payment' : undefined) => {
  const found = Object.entries(functionKeys).filter(([, f]) => f.functionKey === functionKey && (workflowId === undefined || f.workflowId === workflowId));
  expect(found.map(([, f]) => f.workflowId), functionKey).toHaveLength(1);
  return found[0][0];
};
const functionResource = (template: Template, logicalId: string) => template.findResources('AWS::Lambda::Function')[logicalId];
const roleOf = (template: Template, functionLogicalId: string) => functionResource(template, functionLogicalId).Properties.Role['Fn::GetAtt'][0] as string;
const statementsWith = (template: Template, functionLogicalId: string, action: string) =>
  statementsOfRole(template, roleOf(template, functionLogicalId)).filter((s) => asArray(s.Action).includes(action));
/** Logical ids of the secrets a function's role may read. */
const readableSecrets = (template: Template, functionLogicalId: string) =>
  statementsWith(template, functionLogicalId, 'secretsmanager:GetSecretValue').flatMap((s) => asArray(s.Resource).map((r: { Ref: string }) => r.Ref)).sort();

/** The handler of a workflow's bundled workflow function, loaded from the seeds' cloud assembly with the environment it is deployed with. */
async function bundledWorkflowFunction(workflowId: string): Promise<(event: unknown) => Promise<unknown>> {
  const logicalId = Object.entries(functionKeys).find(([, f]) => f.functionKey === `${workflowId}.workflow`)![0];
  // Read when the bundle loads: the sealing key that opens personal inputs for the input check.
  delete process.env.ARAZZO_SEAL_KEY_ID;
  Object.assign(process.env, deployedEnvironment(seeds.template, logicalId));
  const hash = String(functionResource(seeds.template, logicalId).Properties.Code.S3Key).replace(/\.zip$/, '');
  const module = (await import(/* @vite-ignore */ pathToFileURL(join(seeds.outdir, `asset.${hash}`, 'index.mjs')).href)) as { handler: (event: unknown) => Promise<unknown> };
  return module.handler;
}

/** What EventBridge sends for `event` through an input transformer: `<aws.events.event.json>` is the event, `<name>` its InputPathsMap value. */
function renderInputTransformer(transformer: { InputTemplate: string; InputPathsMap?: Record<string, string> }, event: Record<string, unknown>): unknown {
  let text = transformer.InputTemplate.replaceAll('<aws.events.event.json>', JSON.stringify(event));
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    const value = path.slice(2).split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], event);
    text = text.replaceAll(`<${name}>`, JSON.stringify(value ?? null));
  }
  return JSON.parse(text);
}

/** Stacks outside the seeds app (each its own temporary assembly); `build` adds the workflows and what they need. */
function synthStack<T>(build: (stack: Stack) => T): { stack: Stack; built: T; template: Template } {
  const stack = new Stack(new App(), 'Test');
  const built = build(stack);
  return { stack, built, template: Template.fromStack(stack) };
}

describe('ArazzoWorkflow: the seed workflows app', () => {
  it('deploys one state machine per workflow whose definition is the locally compiled ASL, ARNs aside', async () => {
    // GIVEN the seeds compiled for a local run (local placeholder ARNs), seed 003 with the 4-day bound the stack gives it, the
    // payment webhook with its application's signing
    const local = Object.fromEntries(
      await Promise.all(DEPLOYED.map(async (file) => {
        const options = file === SEED_003 ? { timeoutSeconds: 4 * 86_400 } : file === PAYMENT_WEBHOOK ? { signing: fintecturePisSigning(FINTECTURE_WEBHOOK_APP.privateKey, '$inputs.clientId') } : {};
        const [w] = (await compileFileOrThrow(file, options)).workflows;
        return [w.plan.workflowId, w.definition] as const;
      })),
    );
    // WHEN the deployed definitions get the local ARN of the function each substitution names
    const machines = Object.values(seeds.template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(5);
    const deployed: Record<string, unknown> = {};
    for (const machine of machines) {
      let text = machine.Properties.DefinitionString as string;
      expect(typeof text).toBe('string');
      for (const [placeholder, value] of Object.entries(machine.Properties.DefinitionSubstitutions as Record<string, { Ref: string }>)) {
        text = text.replaceAll(`\${${placeholder}}`, localResourceFor(functionKeys[functionOfVersion(seeds.template, value)].functionKey));
      }
      const definition = JSON.parse(text) as { Comment: string };
      deployed[definition.Comment.split(' ')[0]] = definition;
    }
    // THEN they are the local definitions, state for state
    expect(deployed).toEqual(local);
  });

  it('has one Lambda per operation plus one workflow function each, and a webhook receiver for connectFi and for Fintecture\'s payment webhooks, on nodejs22.x and arm64', async () => {
    const operations = new Set<string>();
    for (const file of DEPLOYED) {
      const [w] = (await compileFileOrThrow(file)).workflows;
      for (const step of w.plan.steps) if (!isWorkflowStep(step)) operations.add(`${w.plan.workflowId} ${step.operation.key}`);
      operations.add(`${w.plan.workflowId} ${w.plan.workflowId}.workflow`);
    }
    expect(operations.size).toBe(6 + 2 + 5 + 1 + 4 + 1 + 5);
    expect(new Set(Object.values(functionKeys).map((f) => `${f.workflowId} ${f.functionKey}`))).toEqual(operations);
    const functions = seeds.template.findResources('AWS::Lambda::Function');
    // Only the workflows with a callback or an HTTP receive step have a webhook receiver.
    expect(Object.keys(webhooksByWorkflowId(seeds.template)).sort()).toEqual(['connectfi-kyc-callback', 'fintecture-payment-webhook']);
    // The three workflows with personal inputs (all but seed 001) are started through a starter function each.
    const starters = Object.values(functions).map((fn) => /^arazzo-sfn (\S+): starter /.exec(String(fn.Properties.Description))?.[1]).filter(Boolean);
    expect(starters.sort()).toEqual(Object.keys(SEED_PERSONAL_DATA).filter((id) => id !== 'connectfi-kyc-async').sort());
    expect(Object.keys(functions)).toHaveLength(operations.size + 2 + starters.length);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', TracingConfig: { Mode: 'Active' } });
    }
  });

  it('bundles into each function only the plans of its own steps, and no compiler', async () => {
    const stepIdsIn = (text: string) => new Set([...text.matchAll(/"stepId":"([A-Za-z0-9_-]+)"/g)].map((m) => m[1]));
    for (const file of DEPLOYED) {
      const [w] = (await compileFileOrThrow(file)).workflows;
      for (const [logicalId, f] of Object.entries(functionKeys).filter(([, f]) => f.workflowId === w.plan.workflowId)) {
        const hash = String(functionResource(seeds.template, logicalId).Properties.Code.S3Key).replace(/\.zip$/, '');
        const bundle = readFileSync(join(seeds.outdir, `asset.${hash}`, 'index.mjs'), 'utf8');
        const own = f.functionKey.endsWith('.workflow') ? [w.plan] : w.plan.steps.filter((s) => !isWorkflowStep(s) && (s as StepPlan).operation.key === f.functionKey);
        expect(own.length).toBeGreaterThan(0);
        expect(stepIdsIn(bundle), f.functionKey).toEqual(stepIdsIn(JSON.stringify(own)));
        // The loop extension is read by the compiler only: its name in a bundle would mean compiler code came along.
        expect(bundle).not.toContain('x-arazzo-sfn-loop');
      }
    }
  });

  it('lets each operation function read only the secrets its steps send, and the workflow functions none', () => {
    const { template } = seeds;
    const secretIds = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    const token = secretIds.find((id) => id.startsWith('CustomersToken'))!;
    const app = secretIds.find((id) => id.startsWith('FintectureApp'))!;
    expect(readableSecrets(template, logicalIdOf('customersApi.createCustomer'))).toEqual([token]);
    expect(readableSecrets(template, logicalIdOf('customersApi.initiateCustomerVerification'))).toEqual([token]);
    expect(readableSecrets(template, logicalIdOf('customersApi.getCustomerVerificationById'))).toEqual([token]);
    expect(readableSecrets(template, logicalIdOf('oauthApi.createAccessToken'))).toEqual([app]);
    // createPayment signs with keyId $inputs.clientId (the application id Fintecture registered the public key under), read from its secret.
    expect(readableSecrets(template, logicalIdOf('pisApi.createPisV2Connect'))).toEqual([app]);
    for (const key of ['pisApi.getPaymentSession', 'customer-verification-poll.workflow', 'token-then-payment.workflow']) {
      expect(statementsOfRole(template, roleOf(template, logicalIdOf(key))).flatMap((s) => asArray(s.Action)).filter((a: string) => a.startsWith('secretsmanager:')), key).toEqual([]);
      expect(functionResource(template, logicalIdOf(key)).Properties.Environment?.Variables?.ARAZZO_SECRET_IDS, key).toBeUndefined();
    }
    // The function is told the same secrets IAM lets it read, under the names executions use.
    const env = functionResource(template, logicalIdOf('oauthApi.createAccessToken')).Properties.Environment.Variables;
    expect(JSON.stringify(env.ARAZZO_SECRET_IDS)).toMatch(/clientId.*Ref.*FintectureApp.*clientSecret.*Ref.*FintectureApp/);
    expect(seeds.stack.tokenThenPayment.secretReferences).toEqual({ clientId: 'secret:clientId#clientId', clientSecret: 'secret:clientSecret#clientSecret' });
  });

  it('lets operation functions seal and open with the sealing key under the seal context only, and the workflow functions open personal inputs only', () => {
    const { template } = seeds;
    const sealing = (actions: string | string[]) => ({
      Action: actions,
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SealingKey/), 'Arn'] },
      Condition: { StringEquals: { 'kms:EncryptionContext:arazzo-sfn-seal-context': 'arazzo-sfn' } },
    });
    for (const [logicalId, f] of Object.entries(functionKeys)) {
      const kms = statementsOfRole(template, roleOf(template, logicalId)).filter((s) => asArray(s.Action).some((a: string) => a.startsWith('kms:') && a !== 'kms:Sign'));
      if (f.functionKey.endsWith('.workflow')) {
        // The input check opens personal inputs in memory to check them against the schema; seed 001 has none.
        const personal = f.workflowId in SEED_PERSONAL_DATA;
        expect(kms, f.functionKey).toEqual(personal ? [sealing('kms:Decrypt')] : []);
        expect(functionResource(template, logicalId).Properties.Environment?.Variables?.ARAZZO_SEAL_KEY_ID !== undefined, f.functionKey).toBe(personal);
        continue;
      }
      expect(kms, f.functionKey).toEqual([sealing(['kms:GenerateDataKey', 'kms:Decrypt'])]);
    }
    seeds.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    // The sealing key, and seed 001's signing key.
    seeds.template.resourceCountIs('AWS::KMS::Key', 2);
  });

  it('signs seed 001\'s PIS calls with a KMS key it creates: kms:Sign for the PIS operation functions only, its ARN an output', () => {
    const { template } = seeds;
    // GIVEN the signing key the stack creates for seed 001 (issue 18), declared by configuration, the seed unedited
    const keyId = template.getResourceId('AWS::KMS::Key', { Properties: { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' } });
    expect(template.toJSON().Resources[keyId]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(seeds.stack.tokenThenPayment.compiled.plan.steps.filter((step) => !isWorkflowStep(step) && step.signing).map((step) => [step.stepId, (step as StepPlan).signing])).toEqual([
      ['createPayment', expect.objectContaining({ scheme: 'draft-cavage', algorithm: 'rsa-sha256', key: 'fintecture-pis-signing', keyId: '$inputs.clientId' })],
    ]);
    // WHEN each role's kms:Sign statements are read
    const signers = Object.entries(functionKeys)
      .filter(([logicalId]) => statementsWith(template, logicalId, 'kms:Sign').length)
      .map(([logicalId, f]) => {
        expect(statementsWith(template, logicalId, 'kms:Sign'), f.functionKey).toEqual([{ Action: 'kms:Sign', Effect: 'Allow', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }]);
        expect(functionResource(template, logicalId).Properties.Environment.Variables.ARAZZO_SIGNING_KEYS, f.functionKey).toBeDefined();
        return f.functionKey;
      });
    // THEN only the function of the step that signs may sign (getPayment's operation declares no Signature header), and no starter,
    // webhook receiver or other function may
    expect(signers).toEqual(['pisApi.createPisV2Connect']);
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      const roles = (policy.Properties.Roles as { Ref: string }[]).map((r) => r.Ref);
      if ((policy.Properties.PolicyDocument.Statement as Record<string, any>[]).some((st) => asArray(st.Action).includes('kms:Sign')))
        expect(signers.map((key) => roleOf(template, logicalIdOf(key)))).toEqual(expect.arrayContaining(roles));
    }
    // The key's own policy lets the same roles sign, with the declared algorithm on RAW messages only.
    const policy = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as Record<string, any>[];
    const sign = policy.filter((st) => asArray(st.Action).includes('kms:Sign'));
    expect(sign).toHaveLength(1);
    expect(sign[0].Condition).toMatchObject({ StringEquals: { 'kms:SigningAlgorithm': ['RSASSA_PKCS1_V1_5_SHA_256'], 'kms:MessageType': 'RAW' } });
    // AND its ARN is an output, for `arazzo-sfn public-key <arn>` and registering it with Fintecture
    const outputs = template.findOutputs('*', { Value: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(Object.keys(outputs)).toEqual([expect.stringMatching(/^TokenThenPaymentSigningKeyFintecturePisSigningArn/)]);
    expect(seeds.stack.signingKey).toBe(seeds.stack.tokenThenPayment.signingKeys['fintecture-pis-signing']);
  });

  it('invokes exactly its own functions from each state machine', () => {
    const { template } = seeds;
    for (const [logicalId, machine] of Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))) {
      const roleId = machine.Properties.RoleArn['Fn::GetAtt'][0];
      const invoke = statementsOfRole(template, roleId).filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'));
      const invoked = invoke.flatMap((s) => asArray(s.Resource).map(functionsOfVersionsArn)).sort();
      const substituted = Object.values(machine.Properties.DefinitionSubstitutions as Record<string, { Ref: string }>).map((v) => functionOfVersion(template, v)).sort();
      expect(invoked, logicalId).toEqual(substituted);
    }
  });

  it('logs executions without their data, and traces them with X-Ray', () => {
    seeds.template.resourcePropertiesCountIs(
      'AWS::StepFunctions::StateMachine',
      {
        StateMachineType: 'STANDARD',
        LoggingConfiguration: { IncludeExecutionData: false, Level: 'ALL', Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }] },
        TracingConfiguration: { Enabled: true },
      },
      5,
    );
  });

  it('starts seed 000 from a CustomerSignedUp event through its starter, which seals the personal inputs, with the credential as its secret reference', () => {
    const rules = Object.values(seeds.template.findResources('AWS::Events::Rule'));
    const rule = rules.find((r) => JSON.stringify(r.Properties.EventPattern).includes('CustomerSignedUp'))!;
    expect(rule.Properties.EventPattern).toEqual({ source: ['merchant.app'], 'detail-type': ['CustomerSignedUp'] });
    // GIVEN seed 000's personal inputs (issue 19 §4), declared by the stack's personalData, the seed unedited
    expect(seeds.stack.customerVerification.compiled.plan.personalInputs).toEqual(SEED_PERSONAL_DATA['customer-verification-poll']);
    // THEN the rule invokes the starter with the whole event: the event, personal data in plain, never becomes an execution input
    const [target] = rule.Properties.Targets;
    const starterId = seeds.stack.getLogicalId(seeds.stack.customerVerification.starter!.node.defaultChild as never);
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [starterId, 'Arn'] });
    expect(target.InputTransformer).toBeUndefined();
    expect(target.DeadLetterConfig).toBeDefined();
    // The starter picks the inputs by path beside the secret reference, and starts executions through the alias live only.
    const env = functionResource(seeds.template, starterId).Properties.Environment.Variables;
    expect(JSON.parse(env.ARAZZO_TRIGGER_MAPPING)).toEqual({
      kind: 'paths',
      paths: { firstName: '$.detail.firstName', lastName: '$.detail.lastName', email: '$.detail.email', providerId: '$.detail.providerId', expectedName: '$.detail.expectedName' },
      constants: { accessToken: 'secret:accessToken' },
    });
    const aliasId = Object.entries(seeds.template.findResources('AWS::StepFunctions::StateMachineAlias')).find(([id]) => id.startsWith('CustomerVerificationPoll'))![0];
    const starter = statementsOfRole(seeds.template, roleOf(seeds.template, starterId));
    expect(starter.filter((st) => asArray(st.Action).some((a: string) => a.startsWith('states:')))).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { 'Fn::GetAtt': [aliasId, 'Arn'] } }]);
    // It seals (kms:GenerateDataKey), never opens, reads no secret and signs nothing.
    expect(starter.flatMap((st) => asArray(st.Action)).filter((a: string) => /^(kms|secretsmanager):/.test(a))).toEqual(['kms:GenerateDataKey']);
    // Seed 001 carries no personal input: its rule still starts the alias with the input transformer.
    const checkout = rules.find((r) => JSON.stringify(r.Properties.EventPattern).includes('CheckoutCompleted'))!;
    const paymentAlias = Object.entries(seeds.template.findResources('AWS::StepFunctions::StateMachineAlias')).find(([id]) => id.startsWith('TokenThenPayment'))![0];
    expect(checkout.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [paymentAlias, 'Arn'] });
    expect(seeds.stack.tokenThenPayment.starter).toBeUndefined();
  });

  it('starts each workflow from an event that lacks every optional field: the bundled workflow function leaves them out and applies their defaults', async () => {
    // GIVEN each seed's rule, rendered as EventBridge renders its input transformer, or for a workflow with personal inputs
    // its starter's logic with the synthesized mapping, sealing with KMS (a loopback stand-in, a test double), for an event
    // with the required fields only
    const required: Record<string, Record<string, unknown>> = {
      CustomerSignedUp: { firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com', providerId: 'provider-sandbox-fr', expectedName: 'Jane Doe' },
      CheckoutCompleted: { amount: '12.50', currency: 'EUR', communication: 'Order 1042' },
      KycRequested: { reference: 'r-1', firstName: 'John', lastName: 'Testman', dateOfBirth: '1978-10-15', email: 'john@example.com' },
      BankCustomerApplied: {
        tenantId: 'default',
        firstname: 'Maria',
        lastname: 'Lopez',
        emailAddress: 'maria@example.com',
        mobileNo: '+1 415 555 0134',
        address: { addressLine1: '500 Market Street', city: 'San Francisco', stateCode: 'CA', postalCode: '94105', countryCode: 'US' },
        onboardingDate: '03 March 2025',
      },
    };
    const event = (detailType: string, detail: Record<string, unknown>) => ({
      version: '0', id: '7d4f6a2e-5b8c-4e1f-9a3d-2c6b8e0f1a47', 'detail-type': detailType, source: 'merchant.app', account: '111122223333', time: '2026-12-06T01:00:00Z', region: 'us-east-1', resources: [], detail,
    });
    const machines = seeds.template.findResources('AWS::StepFunctions::StateMachine');
    const workflows = [seeds.stack.customerVerification, seeds.stack.tokenThenPayment, seeds.stack.connectFiKyc, seeds.stack.mbanqVerifyCustomer];
    type Event = ReturnType<typeof event>;
    const triggerOf = (target: Record<string, any>, detailType: string, toEvent: (detailType: string, detail: Record<string, unknown>) => Event) => {
      if (target.InputTransformer) {
        const workflowId = (JSON.parse(machines[machineOfAlias(seeds.template, target.Arn)].Properties.DefinitionString) as { Comment: string }).Comment.split(' ')[0];
        return { workflowId, executionInput: async (detail: Record<string, unknown>) => renderInputTransformer(target.InputTransformer, toEvent(detailType, detail)) as Record<string, unknown> };
      }
      const starterId = target.Arn['Fn::GetAtt'][0] as string;
      const workflowId = /^arazzo-sfn (\S+): starter /.exec(functionResource(seeds.template, starterId).Properties.Description)![1];
      const env = deployedEnvironment(seeds.template, starterId);
      const plan = workflows.find((w) => w.compiled.plan.workflowId === workflowId)!.compiled.plan;
      const sealer = new KmsSealer({ keyId: env.ARAZZO_SEAL_KEY_ID });
      const executionInput = async (detail: Record<string, unknown>) => {
        let input: Record<string, unknown> | undefined;
        await startSealed(plan, toEvent(detailType, detail), JSON.parse(env.ARAZZO_TRIGGER_MAPPING) as TriggerMapping, sealer, async (_name, text) => {
          input = JSON.parse(text) as Record<string, unknown>;
          return { executionArn: `${env.ARAZZO_STATE_MACHINE_ARN}:started` };
        });
        return input!;
      };
      return { workflowId, executionInput };
    };
    const outcomes: Record<string, unknown> = {};
    for (const rule of Object.values(seeds.template.findResources('AWS::Events::Rule'))) {
      const [detailType] = rule.Properties.EventPattern['detail-type'] as string[];
      const [target] = rule.Properties.Targets;
      const { workflowId, executionInput } = triggerOf(target, detailType, event);
      const invoke = await bundledWorkflowFunction(workflowId);
      // WHEN the workflow function checks it, as the first state does ({"workflow": id, "inputs.$": "$"})
      const check = async (detail: Record<string, unknown>) => {
        const inputs = await executionInput(detail);
        // A personal input reaches the execution sealed with the stack's KMS key, never in plain.
        for (const path of SEED_PERSONAL_DATA[workflowId] ?? []) if (path in detail) expect(inputs[path], `${workflowId} ${path}`).toMatch(new RegExp(`^${KMS_SEALED_PREFIX}`));
        return (await invoke({ workflow: workflowId, inputs })) as { inputs: Record<string, unknown> };
      };
      if (detailType !== 'BankCustomerApplied') {
        outcomes[detailType] = (await check(required[detailType])).inputs;
        continue;
      }
      // Seed 004: addIdentifier absent defaults to true, which needs the document fields: refused, naming them
      await expect(check(required[detailType])).rejects.toMatchObject({ name: 'Arazzo.InvalidInputs', message: expect.stringMatching(/documentTypeId/) });
      // addIdentifier false from the event (it could not be set from an event before): kycVerificationType gets its default
      outcomes[detailType] = (await check({ ...required[detailType], addIdentifier: false })).inputs;
      // with the documents, the default addIdentifier applies
      expect((await check({ ...required[detailType], documentTypeId: 2, documentKey: '123-45-6789' })).inputs).toMatchObject({ addIdentifier: true, kycVerificationType: 'FULL', documentTypeId: 2 });
    }
    // THEN every input the event lacks is left out, never written as null or "", and each schema default applies
    for (const [detailType, inputs] of Object.entries(outcomes)) expect(Object.values(inputs as object).filter((v) => v === null || v === ''), detailType).toEqual([]);
    expect(outcomes.BankCustomerApplied).toMatchObject({ addIdentifier: false, kycVerificationType: 'FULL', username: 'secret:username#username' });
    expect(outcomes.BankCustomerApplied).not.toHaveProperty('documentTypeId');
    expect(outcomes.CheckoutCompleted).toMatchObject({ requestId: '7d4f6a2e-5b8c-4e1f-9a3d-2c6b8e0f1a47', clientId: 'secret:clientId#clientId' });
    expect(Object.keys(outcomes.CustomerSignedUp as object).sort()).toEqual(['accessToken', 'email', 'expectedName', 'firstName', 'lastName', 'providerId']);
    expect(Object.keys(outcomes.KycRequested as object).sort()).toEqual(['dateOfBirth', 'email', 'firstName', 'lastName', 'login', 'password', 'reference']);
  }, 60_000);

  it('passes cdk-nag AwsSolutions, every finding fixed or acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks(seeds.app).validateScope(seeds.app);
    expect(report.violations).toEqual([]);
    expect(JSON.parse(readFileSync(join(seeds.outdir, 'validation-report.json'), 'utf8')).pluginReports ?? []).toEqual([]);
  });
});

describe('ArazzoWorkflow: callback steps (seed 003 in the seeds app)', () => {
  const machineId = (prefix: string) => Object.keys(seeds.template.findResources('AWS::StepFunctions::StateMachine')).find((id) => id.startsWith(prefix))!;
  const webhookId = () => webhooksByWorkflowId(seeds.template)['connectfi-kyc-callback'];
  const tableId = () => Object.keys(seeds.template.findResources('AWS::DynamoDB::Table')).find((id) => id.startsWith('ConnectFiKycCallback'))!;
  const allStatements = () =>
    Object.entries(seeds.template.findResources('AWS::IAM::Policy')).flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as Record<string, any>[]).map((statement) => ({ policy: id, roles: (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref), statement })),
    );

  it('compiles startKyc to a lambda:invoke.waitForTaskToken Task with HeartbeatSeconds and TimeoutSeconds, invoking its operation function with the task token', () => {
    const machine = seeds.template.findResources('AWS::StepFunctions::StateMachine')[machineId('ConnectFiKycCallback')];
    const definition = JSON.parse(machine.Properties.DefinitionString);
    expect(definition.States.startKyc).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      HeartbeatSeconds: 3600,
      TimeoutSeconds: 172800,
      Parameters: { Payload: { step: 'startKyc', 'taskToken.$': '$$.Task.Token', 'executionId.$': '$$.Execution.Id' } },
      Catch: [{ ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], Next: 'pollKycStatus' }, { ErrorEquals: ['States.ALL'], Next: 'startKyc.failed' }],
    });
    const placeholder = /^\$\{(\w+)\}$/.exec(definition.States.startKyc.Parameters.FunctionName)![1];
    expect(functionOfVersion(seeds.template, machine.Properties.DefinitionSubstitutions[placeholder])).toBe(logicalIdOf('connectFiApi.initCustomerKyc'));
    // The state machine's role invokes that function (the callback Task's Lambda invoke).
    const invoked = statementsOfRole(seeds.template, machine.Properties.RoleArn['Fn::GetAtt'][0]).filter((st) => asArray(st.Action).includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invoked)).toContain(logicalIdOf('connectFiApi.initCustomerKyc'));
    // The callback waits 2 days and the fallback poll about 1 more: the execution is bounded at 4 days, not the default 1.
    expect(definition.TimeoutSeconds).toBe(4 * 86_400);
  });

  it("lets the webhook receiver send task responses to the connectFi state machine and to nothing else; no other role may", () => {
    const sendTask = allStatements().filter(({ statement }) => asArray(statement.Action).some((a: string) => a.startsWith('states:SendTask')));
    const onConnectFi = sendTask.filter(({ statement }) => JSON.stringify(statement.Resource).includes(`"${machineId('ConnectFiKycCallback')}"`));
    expect(onConnectFi).toHaveLength(1);
    // The payment webhook's receiver and receive step answer the tasks of its own state machine only.
    for (const other of sendTask.filter((s) => !onConnectFi.includes(s))) expect(JSON.stringify(other.statement.Resource)).toContain(`"${machineId('FintecturePaymentWebhook')}"`);
    const [{ roles, statement }] = onConnectFi;
    expect(roles).toEqual([roleOf(seeds.template, webhookId())]);
    expect(statement).toEqual({
      Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      Effect: 'Allow',
      // The state machine, and its versions and aliases (the executions in flight started on one of them).
      Resource: [{ Ref: machineId('ConnectFiKycCallback') }, { 'Fn::Join': ['', [{ Ref: machineId('ConnectFiKycCallback') }, ':*']] }],
    });
    // Everything the receiver may do: its log group, the callback table, the sealing key under the seal context, X-Ray, the task responses,
    // and connectFi's webhook key (seed 003's callbacks verified by configuration), no other secret.
    const actions = statementsOfRole(seeds.template, roleOf(seeds.template, webhookId())).flatMap((st) => asArray(st.Action)).sort();
    expect(actions).toEqual(
      ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'kms:Decrypt', 'kms:GenerateDataKey', 'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort(),
    );
    const secretReads = statementsOfRole(seeds.template, roleOf(seeds.template, webhookId())).filter((st) => asArray(st.Action).includes('secretsmanager:GetSecretValue'));
    expect(secretReads.map((st) => st.Resource)).toEqual([{ Ref: expect.stringMatching(/^ConnectFiWebhookKey/) }]);
    const kms = statementsOfRole(seeds.template, roleOf(seeds.template, webhookId())).find((st) => asArray(st.Action).includes('kms:Decrypt'))!;
    expect(kms.Condition).toEqual({ StringEquals: { 'kms:EncryptionContext:arazzo-sfn-seal-context': 'arazzo-sfn' } });
  });

  it('keeps pending callbacks in a pay-per-request table with TTL, point-in-time recovery and encryption: startKyc writes, the receiver reads and settles, no one else', () => {
    const table = seeds.template.findResources('AWS::DynamoDB::Table')[tableId()];
    expect(table.Properties).toEqual({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    const dynamo = allStatements().filter(({ statement }) => asArray(statement.Action).some((a: string) => a.startsWith('dynamodb:')) && JSON.stringify(statement.Resource).includes(`"${tableId()}"`));
    expect(dynamo.map(({ roles, statement }) => [roles, statement])).toEqual(
      expect.arrayContaining([
        [[roleOf(seeds.template, logicalIdOf('connectFiApi.initCustomerKyc'))], { Action: 'dynamodb:UpdateItem', Effect: 'Allow', Resource: { 'Fn::GetAtt': [tableId(), 'Arn'] } }],
        [[roleOf(seeds.template, webhookId())], { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [tableId(), 'Arn'] } }],
      ]),
    );
    expect(dynamo).toHaveLength(2);
    // Only the callback step's function is told the table and the receiver's URL.
    const urlId = Object.keys(seeds.template.findResources('AWS::Lambda::Url')).find((id) => id.startsWith('ConnectFiKycCallback'))!;
    for (const [logicalId, f] of Object.entries(functionKeys).filter(([, fn]) => fn.workflowId !== 'fintecture-payment-webhook')) {
      const variables = functionResource(seeds.template, logicalId).Properties.Environment?.Variables ?? {};
      if (f.functionKey === 'connectFiApi.initCustomerKyc') {
        expect(variables).toMatchObject({ ARAZZO_CALLBACK_TABLE: { Ref: tableId() }, ARAZZO_CALLBACK_BASE_URL: { 'Fn::GetAtt': [urlId, 'FunctionUrl'] } });
      } else {
        expect(variables.ARAZZO_CALLBACK_TABLE, f.functionKey).toBeUndefined();
        expect(variables.ARAZZO_CALLBACK_BASE_URL, f.functionKey).toBeUndefined();
      }
    }
    expect(functionResource(seeds.template, webhookId()).Properties.Environment.Variables).toEqual({
      ARAZZO_CALLBACK_TABLE: { Ref: tableId() },
      ARAZZO_SEAL_KEY_ID: { 'Fn::GetAtt': [expect.stringMatching(/^SealingKey/), 'Arn'] },
      // Where the receiver finds the key seed 003's configured verification names (connectfi/webhook-key).
      ARAZZO_SECRET_IDS: { 'Fn::Join': ['', ['{"connectfi/webhook-key":"', { Ref: expect.stringMatching(/^ConnectFiWebhookKey/) }, '"}']] },
    });
  });

  it('serves the receiver through a Function URL without IAM auth, on nodejs22.x arm64, bundled with only the callback step plan', () => {
    const [url] = Object.values(seeds.template.findResources('AWS::Lambda::Url'));
    expect(url.Properties).toEqual({ AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [webhookId(), 'Arn'] } });
    const permissions = Object.values(seeds.template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE', Principal: '*', FunctionName: { 'Fn::GetAtt': [webhookId(), 'Arn'] } }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true, Principal: '*', FunctionName: { 'Fn::GetAtt': [webhookId(), 'Arn'] } }),
      ]),
    );
    const fn = functionResource(seeds.template, webhookId());
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', TracingConfig: { Mode: 'Active' } });
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    const bundle = readFileSync(join(seeds.outdir, `asset.${hash}`, 'index.mjs'), 'utf8');
    expect(new Set([...bundle.matchAll(/"stepId":"([A-Za-z0-9_-]+)"/g)].map((m) => m[1]))).toEqual(new Set(['startKyc']));
    expect(bundle).not.toContain('x-arazzo-sfn-loop');
    // The seed declares no verify: the deployed plan carries the configured one (SEED_WEBHOOK_VERIFICATION).
    expect(bundle).toContain('"verify":{"scheme":"hmac-sha256","secret":"connectfi/webhook-key","header":"x-webhook-signature","toleranceSeconds":300}');
  });

  it('deploys fintecture-payment-webhook with its application\'s private key from a secret the stack declares: its receiver alone reads it to open webhooks, createPayment to sign', () => {
    const { template } = seeds;
    const secretIds = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    const [app, key] = [/^FintectureWebhookApp(?!Key)/, /^FintectureWebhookAppKey/].map((name) => secretIds.find((id) => name.test(id))!);
    // Never a literal: the stack generates a placeholder, the operator puts the PEM (put-secret-value), and it is kept on delete.
    for (const id of [app, key]) {
      const secret = template.toJSON().Resources[id];
      expect(secret.Properties.SecretString, id).toBeUndefined();
      expect(secret.Properties.GenerateSecretString, id).toBeDefined();
      expect(secret.DeletionPolicy, id).toBe('Retain');
    }
    expect(template.toJSON().Resources[key].Properties.Name).toBe('arazzo-sfn/fintecture/webhook-key');
    const receiver = webhooksByWorkflowId(template)['fintecture-payment-webhook'];
    expect(readableSecrets(template, receiver)).toEqual([key]);
    expect(functionResource(template, receiver).Properties.Environment.Variables.ARAZZO_SECRET_IDS).toEqual({ 'Fn::Join': ['', ['{"fintecture/webhook-key":"', { Ref: key }, '"}']] });
    // createPayment signs its PIS request with the same key (read as a PEM secret, no kms:Sign); mintToken reads the application's credentials.
    const payment = logicalIdOf('pisApi.createPisV2Connect', 'fintecture-payment-webhook');
    expect(readableSecrets(template, payment)).toEqual([app, key].sort());
    expect(statementsWith(template, payment, 'kms:Sign')).toEqual([]);
    expect(readableSecrets(template, logicalIdOf('oauthApi.createAccessToken', 'fintecture-payment-webhook'))).toEqual([app]);
    // No other role of the stack reads the key.
    const readers = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => template.toJSON().Resources[id].Properties.Role && readableSecrets(template, id).includes(key));
    expect(readers.sort()).toEqual([receiver, payment].sort());
    // Its receive step verifies Fintecture's signature with that key; the application id is the document's until the stack is given one.
    const verifyOf = (stack: typeof seeds.stack) => (stack.fintecturePaymentWebhook.compiled.plan.steps.find((s) => s.stepId === 'awaitPaymentWebhook') as StepPlan).receive!.verify;
    expect(verifyOf(seeds.stack)).toEqual({ scheme: 'fintecture', secret: 'fintecture/webhook-key', keyId: 'demo-merchant-app', toleranceSeconds: 300 });
    const { stack: own } = createApp(new App({ context: { 'aws:cdk:bundling-stacks': [], fintectureWebhookAppId: 'my-fintecture-app' } }));
    expect(verifyOf(own)).toEqual({ scheme: 'fintecture', secret: 'fintecture/webhook-key', keyId: 'my-fintecture-app', toleranceSeconds: 300 });
    // Its receive step's function only registers the hour-long wait: it runs as long as any call, well within Lambda's 900 s.
    expect(functionResource(template, logicalIdOf('fintectureWebhooks.onPaymentStatusChanged.receive', 'fintecture-payment-webhook')).Properties.Timeout).toBe(30);
    // And no workflow of the stack is warned to outlive its execution (ASFN2171).
    expect(Annotations.fromStack(seeds.stack).findWarning('*', Match.stringLikeRegexp('ASFN2171'))).toEqual([]);
  }, 180_000);

  it('deploys Mbanq (seed 004) with its four credentials as keys of one secret, started by a BankCustomerApplied event', () => {
    expect(seeds.stack.mbanqVerifyCustomer.secretReferences).toEqual({
      username: 'secret:username#username',
      password: 'secret:password#password',
      clientId: 'secret:clientId#clientId',
      clientSecret: 'secret:clientSecret#clientSecret',
    });
    const secret = Object.keys(seeds.template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('MbanqApiUser'))!;
    expect(readableSecrets(seeds.template, logicalIdOf('mbanqApi.requestAccessToken'))).toEqual([secret]);
    for (const key of ['mbanqApi.createClient', 'mbanqApi.createClientIdentifier', 'mbanqApi.clientCommand', 'mbanqApi.getClient']) {
      expect(readableSecrets(seeds.template, logicalIdOf(key)), key).toEqual([]);
    }
    const rule = Object.values(seeds.template.findResources('AWS::Events::Rule')).find((r) => JSON.stringify(r.Properties.EventPattern).includes('BankCustomerApplied'))!;
    // Its personal inputs (names, e-mail, phone, address, document number) go through the starter, which seals them.
    const starterId = seeds.stack.getLogicalId(seeds.stack.mbanqVerifyCustomer.starter!.node.defaultChild as never);
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [starterId, 'Arn'] });
    expect(seeds.stack.mbanqVerifyCustomer.compiled.plan.personalInputs).toEqual(SEED_PERSONAL_DATA['mbanq-verify-customer']);
    expect(JSON.parse(functionResource(seeds.template, starterId).Properties.Environment.Variables.ARAZZO_TRIGGER_MAPPING)).toMatchObject({
      constants: { username: 'secret:username#username', clientSecret: 'secret:clientSecret#clientSecret' },
      paths: { tenantId: '$.detail.tenantId', address: '$.detail.address', addIdentifier: '$.detail.addIdentifier' },
    });
    // connectFi's API user is one secret too; its KYC starts from a KycRequested event with customer data only.
    expect(seeds.stack.connectFiKyc.secretReferences).toEqual({ login: 'secret:login#login', password: 'secret:password#password' });
    const kyc = Object.values(seeds.template.findResources('AWS::Events::Rule')).find((r) => JSON.stringify(r.Properties.EventPattern).includes('KycRequested'))!;
    expect(kyc.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [seeds.stack.getLogicalId(seeds.stack.connectFiKyc.starter!.node.defaultChild as never), 'Arn'] });
  });
});

describe('ArazzoWorkflow: props', () => {
  it('gives each operation function only the secret of its own step when steps send different credentials', () => {
    const { template } = synthStack((stack) => {
      const app = new secretsmanager.Secret(stack, 'App');
      const token = new secretsmanager.Secret(stack, 'Token');
      return new ArazzoWorkflow(stack, 'Workflow', {
        arazzoFile: TWO_CREDENTIALS,
        workflowId: 'two-credentials',
        secrets: { clientId: { secret: app, jsonKey: 'clientId' }, clientSecret: { secret: app, jsonKey: 'clientSecret' }, customersToken: token },
      });
    });
    const keys = functionKeysByLogicalId(template);
    const id = (key: string) => Object.entries(keys).find(([, f]) => f.functionKey === key)![0];
    const secretId = (prefix: string) => Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((s) => s.startsWith(prefix))!;
    expect(readableSecrets(template, id('oauthApi.createAccessToken'))).toEqual([secretId('App')]);
    expect(readableSecrets(template, id('customersApi.createCustomer'))).toEqual([secretId('Token')]);
    expect(readableSecrets(template, id('two-credentials.workflow'))).toEqual([]);
  }, 60_000);

  it('fails to synthesize when a step sends a credential that has no secret, naming the step and the prop', () => {
    expect(() => synthStack((stack) => new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: SEED_000, workflowId: 'customer-verification-poll' }))).toThrow(
      /steps? createCustomer of workflow customer-verification-poll sends? credential input "accessToken", which has no secret: set secrets\.accessToken/,
    );
  });

  it('fails to synthesize a secret bound to an input the workflow does not have', () => {
    expect(() =>
      synthStack((stack) => {
        const token = new secretsmanager.Secret(stack, 'Token');
        return new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: SEED_000, workflowId: 'customer-verification-poll', secrets: { accessToken: token, acessToken: token } });
      }),
    ).toThrow(/secrets\.acessToken: workflow customer-verification-poll has no input "acessToken"/);
  });

  it('throws CDK\'s ValidationError, which carries the path of the construct at fault', () => {
    // GIVEN a secret bound to an input the workflow does not have
    // WHEN the construct is built
    let thrown: unknown;
    try {
      synthStack((stack) => new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: SEED_000, workflowId: 'customer-verification-poll', secrets: { acessToken: new secretsmanager.Secret(stack, 'Token') } }));
    } catch (err) {
      thrown = err;
    }
    // THEN the error is a validation error of the ArazzoWorkflow construct, not a bare Error
    expect(Errors.isValidationError(thrown)).toBe(true);
    expect((thrown as { constructPath?: string }).constructPath).toBe('Test/Workflow');
  });

  it('refuses EXPRESS for a workflow with a Wait state, naming it', () => {
    expect(() =>
      synthStack((stack) => new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: SEED_000, workflowId: 'customer-verification-poll', stateMachineType: sfn.StateMachineType.EXPRESS })),
    ).toThrow(/cannot run as an EXPRESS state machine: it has Wait states \(pollVerification\.wait\).*Use STANDARD/);
  });

  it('refuses EXPRESS for a workflow that runs another as a .sync nested execution', () => {
    expect(() =>
      synthStack((stack) => new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: NESTED, workflowId: 'verify-customer', stateMachineType: sfn.StateMachineType.EXPRESS })),
    ).toThrow(/cannot run as an EXPRESS state machine: it has \.sync\/\.waitForTaskToken integrations \(register\.run\)/);
  });

  it('deploys a workflow without Wait nor .sync as EXPRESS, its executions bounded to 5 minutes', () => {
    const { template, stack } = synthStack((stack) => {
      const app = new secretsmanager.Secret(stack, 'App');
      return new ArazzoWorkflow(stack, 'Workflow', {
        arazzoFile: SEED_001,
        workflowId: 'token-then-payment',
        stateMachineType: sfn.StateMachineType.EXPRESS,
        secrets: { clientId: { secret: app, jsonKey: 'clientId' }, clientSecret: { secret: app, jsonKey: 'clientSecret' } },
      });
    });
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machine.Properties.StateMachineType).toBe('EXPRESS');
    expect(JSON.parse(machine.Properties.DefinitionString).TimeoutSeconds).toBe(300);
    // The throttle's Retry-After Waits (5 × 60 s by default) can outlast the 5 minutes: said with the numbers, the synth goes on.
    const throttled = Annotations.fromStack(stack).findWarning('/Test/Workflow', Match.stringLikeRegexp('Retry-After can hold it for up to 5 × 60 s = 300 s \\(throttle option\\), not less than the execution.s own bound of 300 s \\(an EXPRESS execution lasts at most 5 minutes\\)'));
    expect(throttled.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('throttle: bounds checked in the constructor, passed to the compiler; false emits no throttled Wait', () => {
    expect(() => synthStack((stack) => new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: SEED_001, workflowId: 'token-then-payment', throttle: { maxWaits: 0 } }))).toThrow(
      /Workflow: throttle\.maxWaits must be a whole number from 1 to 100, got 0/,
    );
    const definitionOf = (throttle: false | { maxWaitSeconds: number }) => {
      const { template } = synthStack((stack) => {
        const app = new secretsmanager.Secret(stack, 'App');
        return new ArazzoWorkflow(stack, 'Workflow', {
          arazzoFile: SEED_001,
          workflowId: 'token-then-payment',
          throttle,
          secrets: { clientId: { secret: app, jsonKey: 'clientId' }, clientSecret: { secret: app, jsonKey: 'clientSecret' } },
        });
      });
      const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
      return JSON.parse(machine.Properties.DefinitionString as string) as { States: Record<string, { Comment?: string }> };
    };
    expect(definitionOf({ maxWaitSeconds: 20 }).States['getPayment.throttled'].Comment).toContain('at most 20 s');
    expect(Object.keys(definitionOf(false).States).filter((n) => n.includes('.throttled'))).toEqual([]);
  }, 60_000);

  it('starts nested workflows by the state machine passed for them, with a role allowed exactly that', () => {
    const { template, built } = synthStack((stack) => {
      const token = new secretsmanager.Secret(stack, 'Token');
      const child = new ArazzoWorkflow(stack, 'Register', { arazzoFile: NESTED, workflowId: 'register-customer', secrets: { accessToken: token } });
      const parent = new ArazzoWorkflow(stack, 'Verify', {
        arazzoFile: NESTED,
        workflowId: 'verify-customer',
        secrets: { accessToken: token },
        sealingKey: child.sealingKey,
        nestedWorkflows: { 'register-customer': child.stateMachine },
      });
      return { child, parent };
    });
    const stack = Stack.of(built.parent);
    const parentId = stack.getLogicalId(built.parent.stateMachine.node.defaultChild as sfn.CfnStateMachine);
    const childId = stack.getLogicalId(built.child.stateMachine.node.defaultChild as sfn.CfnStateMachine);
    const parent = template.findResources('AWS::StepFunctions::StateMachine')[parentId];
    expect(parent.Properties.DefinitionSubstitutions.StateMachine_register_customer).toEqual({ Ref: childId });
    expect(JSON.parse(parent.Properties.DefinitionString).States['register.run'].Parameters.StateMachineArn).toBe('${StateMachine_register_customer}');
    const statements = statementsOfRole(template, parent.Properties.RoleArn['Fn::GetAtt'][0]);
    expect(statements).toContainEqual({ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: childId } });
    expect(JSON.stringify(statements.find((s) => asArray(s.Action).includes('states:DescribeExecution')))).toContain(':execution:');
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'] }));
    // The parent's workflow function seals what a child returns with a credential name, and never opens anything.
    const keys = functionKeysByLogicalId(template);
    const workflowFn = Object.entries(keys).find(([, f]) => f.functionKey === 'verify-customer.workflow')![0];
    const kmsActions = statementsOfRole(template, roleOf(template, workflowFn)).flatMap((s) => asArray(s.Action)).filter((a: string) => a.startsWith('kms:'));
    expect(kmsActions).toEqual(['kms:GenerateDataKey']);
    expect(readableSecrets(template, workflowFn)).toEqual([]);
  }, 90_000);

  it('deploys a workflow with a callback step with its own table and webhook receiver, and warns when the execution ends before the step stops waiting', () => {
    const { template, stack } = synthStack((stack) => new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: CALLBACK, workflowId: 'kyc-callback', timeout: Duration.minutes(5) }));
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::Lambda::Url', 1);
    expect(Object.keys(webhooksByWorkflowId(template))).toEqual(['kyc-callback']);
    // The step waits up to 600 s; the execution is bounded to 300 s: the compiler's ASFN2171, at the callback's timeoutSeconds (it absorbed CallbackOutlivesExecution).
    const warnings = Annotations.fromStack(stack).findWarning('/Test/Workflow', Match.stringLikeRegexp('kyc\\.arazzo\\.yml:\\d+:\\d+: step "startKyc": its callback.s timeoutSeconds 600 is not shorter than the execution.s own bound of 300 s'));
    expect(warnings).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('/Test/Workflow', Match.stringLikeRegexp('CallbackOutlivesExecution'))).toEqual([]);
  }, 60_000);

  it('lets the webhook receiver read its callback steps\' verification keys (webhookKeys) and no other secret, and offers metricForgedCallbacks', () => {
    // GIVEN the callback fixture whose step verifies connectFi-style signatures with key "kyc-webhook-key"
    const dir = mkdtempSync(join(tmpdir(), 'arazzo-verify-cdk-'));
    copyFileSync(join(CALLBACK, '../kyc.openapi.yml'), join(dir, 'kyc.openapi.yml'));
    const verified = readFileSync(CALLBACK, 'utf8').replace('      timeoutSeconds: 600\n', '      timeoutSeconds: 600\n      verify: { scheme: hmac-sha256, secret: kyc-webhook-key }\n');
    expect(verified).toContain('verify:');
    writeFileSync(join(dir, 'kyc.arazzo.yml'), verified);
    // WHEN it is deployed without the key, then with it and an unrelated secret
    expect(() => synthStack((stack) => new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: join(dir, 'kyc.arazzo.yml'), workflowId: 'kyc-callback' }))).toThrow(
      /verifies its webhooks with key "kyc-webhook-key", which has no secret: set webhookKeys\["kyc-webhook-key"\]/,
    );
    const { template, built, stack } = synthStack((stack) => {
      const key = new secretsmanager.Secret(stack, 'WebhookKey');
      new secretsmanager.Secret(stack, 'Unrelated');
      return new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: join(dir, 'kyc.arazzo.yml'), workflowId: 'kyc-callback', webhookKeys: { 'kyc-webhook-key': key } });
    });
    // THEN the receiver's role reads exactly that secret, and its environment maps the name to it
    const webhookId = webhooksByWorkflowId(template)['kyc-callback'];
    const webhook = template.findResources('AWS::Lambda::Function')[webhookId];
    const reads = statementsOfRole(template, webhook.Properties.Role['Fn::GetAtt'][0]).filter((st) => asArray(st.Action).some((a: string) => a.startsWith('secretsmanager:')));
    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0].Resource)).toContain(stack.getLogicalId(stack.node.findChild('WebhookKey').node.defaultChild as never));
    expect(JSON.stringify(webhook.Properties.Environment.Variables.ARAZZO_SECRET_IDS)).toContain('kyc-webhook-key');
    // No operation function may read the key.
    for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      if (id === webhookId || !fn.Properties.Role?.['Fn::GetAtt']) continue;
      expect(JSON.stringify(statementsOfRole(template, fn.Properties.Role['Fn::GetAtt'][0]))).not.toContain('WebhookKey');
    }
    expect(stack.resolve(built.metricForgedCallbacks().toMetricConfig().metricStat)).toMatchObject({ namespace: 'ArazzoSfn', metricName: 'ForgedCallbacks', dimensions: [{ name: 'WorkflowId', value: 'kyc-callback' }], statistic: 'Sum' });
  }, 120_000);

  it('refuses EXPRESS for a workflow with a callback step (.waitForTaskToken)', () => {
    expect(() =>
      synthStack((stack) => new ArazzoWorkflow(stack, 'Workflow', { arazzoFile: CALLBACK, workflowId: 'kyc-callback', stateMachineType: sfn.StateMachineType.EXPRESS })),
    ).toThrow(/cannot run as an EXPRESS state machine: it has \.sync\/\.waitForTaskToken integrations \(startKyc\)/);
  });

  it('fails to synthesize a workflow that starts another whose state machine it was not given', () => {
    expect(() =>
      synthStack((stack) => {
        const token = new secretsmanager.Secret(stack, 'Token');
        return new ArazzoWorkflow(stack, 'Verify', { arazzoFile: NESTED, workflowId: 'verify-customer', secrets: { accessToken: token } });
      }),
    ).toThrow(/starts workflow "register-customer": pass its ArazzoWorkflow \(or state machine\) in nestedWorkflows\["register-customer"\]/);
  }, 60_000);
});
