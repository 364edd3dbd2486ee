import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { createApp } from '../../../../infra/app.js';
import type { SeedWorkflowsStack } from '../../../../infra/cdk/seed-workflows-stack.js';

export const ROOT = join(import.meta.dirname, '../../../..');
export const SEED_000 = join(ROOT, 'workflows/arazzo/customer-verification-poll.arazzo.yml');
export const SEED_001 = join(ROOT, 'workflows/arazzo/token-then-payment.arazzo.yml');
export const SEED_003 = join(ROOT, 'workflows/arazzo/connectfi-kyc-callback.arazzo.yml');
export const SEED_004 = join(ROOT, 'workflows/arazzo/mbanq-verify-customer.arazzo.yml');
export const SEEDS = [SEED_000, SEED_001, SEED_003, SEED_004];
/** Ours, beside the seeds in the stack: a Fintecture payment settled by its signed webhook (Arazzo 1.1). */
export const PAYMENT_WEBHOOK = join(ROOT, 'workflows/arazzo/fintecture-payment-webhook.arazzo.yml');
/** Every document the seed stack deploys. */
export const DEPLOYED = [...SEEDS, PAYMENT_WEBHOOK];

export interface SynthesizedSeeds {
  readonly app: App;
  readonly stack: SeedWorkflowsStack;
  readonly template: Template;
  readonly assembly: CloudAssembly;
  /** The cloud assembly directory: the bundles are its `asset.<hash>/index.mjs`. */
  readonly outdir: string;
  remove(): void;
}

/**
 * The app of infra/app.ts (cdk-nag included) synthesized in-process. The assembly lives under
 * the project (test-artifacts/, ignored by git) so that a bundle loaded from it resolves the
 * externals the Lambda runtime provides (the AWS SDK) from the project's node_modules.
 */
export function synthSeeds(): SynthesizedSeeds {
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  const outdir = mkdtempSync(join(ROOT, 'test-artifacts', 'cdk-'));
  const { app, stack } = createApp(new App({ outdir }));
  const assembly = app.synth();
  return { app, stack, template: Template.fromStack(stack), assembly, outdir, remove: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** The function keys of the template's Lambda functions, by logical id (read from their descriptions). */
export function functionKeysByLogicalId(template: Template): Record<string, { workflowId: string; functionKey: string }> {
  const out: Record<string, { workflowId: string; functionKey: string }> = {};
  for (const [logicalId, resource] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
    const description = String(resource.Properties.Description ?? '');
    const operation = /^arazzo-sfn (\S+): operation (\S+)$/.exec(description);
    const workflow = /^arazzo-sfn (\S+): workflow function/.exec(description);
    if (operation) out[logicalId] = { workflowId: operation[1], functionKey: operation[2] };
    else if (workflow) out[logicalId] = { workflowId: workflow[1], functionKey: `${workflow[1]}.workflow` };
  }
  return out;
}

/** The logical ids of the template's webhook receivers, by workflow id (read from their descriptions). */
export function webhooksByWorkflowId(template: Template): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
    const webhook = /^arazzo-sfn (\S+): webhook receiver of callback steps /.exec(String(resource.Properties.Description ?? ''));
    if (webhook) out[webhook[1]] = logicalId;
  }
  return out;
}

/** Every IAM statement attached to a role (its inline policies), by role logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): Record<string, any>[] {
  const statements: Record<string, any>[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as { Ref?: string }[];
    if (roles.some((r) => r.Ref === roleLogicalId)) statements.push(...policy.Properties.PolicyDocument.Statement);
  }
  return statements;
}

export const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** What a resource's Ref or Fn::GetAtt Arn would be once deployed, in a fake account. */
export function deployedArn(template: Template, logicalId: string): string {
  const type = template.toJSON().Resources[logicalId].Type as string;
  if (type === 'AWS::SecretsManager::Secret') return `arn:aws:secretsmanager:us-east-1:000000000000:secret:${logicalId}-AbCdEf`;
  if (type === 'AWS::KMS::Key') return `arn:aws:kms:us-east-1:000000000000:key/${logicalId}`;
  if (type === 'AWS::StepFunctions::StateMachineAlias') return `arn:aws:states:us-east-1:000000000000:stateMachine:${logicalId}:live`;
  throw new Error(`no fake ARN for ${type}`);
}

/** A template value (a string, Ref, Fn::GetAtt or Fn::Join of them) as deployed in the fake account of `deployedArn`. */
export function resolveDeployed(template: Template, value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref) return deployedArn(template, v.Ref);
  if (v['Fn::GetAtt']) return deployedArn(template, v['Fn::GetAtt'][0]);
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map((part) => resolveDeployed(template, part)).join(v['Fn::Join'][0]);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

/** A function's environment as CloudFormation would give it, in the fake account of `deployedArn`. */
export function deployedEnvironment(template: Template, functionLogicalId: string): Record<string, string> {
  const fn = template.findResources('AWS::Lambda::Function')[functionLogicalId];
  return Object.fromEntries(Object.entries((fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [k, resolveDeployed(template, v)]));
}
