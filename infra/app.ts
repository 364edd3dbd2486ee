/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`; see cdk.json): the seed workflows in one
 * stack, checked by cdk-nag's AwsSolutions rules. Context: `fintectureUrl` (default Fintecture's
 * sandbox), `connectFiUrl` (your connectFi instance), `mbanqUrl` (default Mbanq Cloud's API),
 * `importSecrets=true` to use existing secrets instead of creating them, `retainSecrets=false` to
 * delete the created secrets with the stack (they are kept by default), `webhookReservedConcurrency=N`
 * to reserve concurrency for the webhook receivers, `fintectureWebhookAppId` (the Fintecture application
 * whose payment webhooks fintecture-payment-webhook accepts).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeSeedWorkflowsFindings } from './cdk/nag-suppressions.js';
import { projectRoot } from './cdk/project-root.js';
import { SeedWorkflowsStack } from './cdk/seed-workflows-stack.js';

export function createApp(app = new App()): { app: App; stack: SeedWorkflowsStack } {
  const context = (name: string) => (app.node.tryGetContext(name) as string | undefined) || undefined;
  const urls = { fintectureUrl: context('fintectureUrl'), connectFiUrl: context('connectFiUrl'), mbanqUrl: context('mbanqUrl') };
  const stack = new SeedWorkflowsStack(app, 'ArazzoSfnSeedWorkflows', {
    description: 'arazzo-sfn: the seed Arazzo workflows as Step Functions state machines, one Lambda per operation',
    workflowsDir: join(projectRoot(), 'workflows/arazzo'),
    ...Object.fromEntries(Object.entries(urls).filter(([, url]) => url)),
    secrets: String(app.node.tryGetContext('importSecrets')) === 'true' ? 'import' : 'create',
    secretRemovalPolicy: String(app.node.tryGetContext('retainSecrets')) === 'false' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    ...(context('webhookReservedConcurrency') ? { webhookReservedConcurrency: Number(context('webhookReservedConcurrency')) } : {}),
    ...(context('fintectureWebhookAppId') ? { fintectureWebhookAppId: context('fintectureWebhookAppId') } : {}),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  acknowledgeSeedWorkflowsFindings(stack);
  // A finding that is neither fixed nor acknowledged with a reason fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) createApp().app.synth();
