import { join } from 'node:path';
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ArazzoWorkflow } from './arazzo-workflow.js';

/** Fintecture's sandbox: a deployed demo must not reach the production API the OpenAPI descriptions name first. */
export const FINTECTURE_SANDBOX_URL = 'https://api-sandbox.fintecture.com';

export interface SeedWorkflowsStackProps extends StackProps {
  /** The directory of the seed documents. */
  readonly workflowsDir: string;
  /**
   * Server of the three Fintecture APIs (Customers, OAuth, PIS).
   * @default FINTECTURE_SANDBOX_URL
   */
  readonly fintectureUrl?: string;
  /**
   * Secrets Manager secrets: `create` them (their values are placeholders, set the real
   * credentials after the first deploy), or `import` existing ones by name.
   * @default "create"
   */
  readonly secrets?: 'create' | 'import';
  /** Prefix of the secrets' names. @default "arazzo-sfn/" */
  readonly secretNamePrefix?: string;
}

/**
 * The seed workflows as deployed: seed 000 (customer verification with polling) starts on a
 * merchant's `CustomerSignedUp` event, seed 001 (token then payment) on `CheckoutCompleted`.
 * Both share one sealing key and seal context, as the workflows of one deployment do.
 */
export class SeedWorkflowsStack extends Stack {
  readonly customerVerification: ArazzoWorkflow;
  readonly tokenThenPayment: ArazzoWorkflow;
  readonly sealingKey: kms.Key;

  constructor(scope: Construct, id: string, props: SeedWorkflowsStackProps) {
    super(scope, id, props);
    const url = props.fintectureUrl ?? FINTECTURE_SANDBOX_URL;
    const prefix = props.secretNamePrefix ?? 'arazzo-sfn/';
    // Created secrets hold a random placeholder in their final shape, so a forgotten value fails as a refused credential.
    const secret = (sid: string, name: string, description: string, generate: secretsmanager.SecretStringGenerator): secretsmanager.ISecret =>
      props.secrets === 'import'
        ? secretsmanager.Secret.fromSecretNameV2(this, sid, `${prefix}${name}`)
        : new secretsmanager.Secret(this, sid, { secretName: `${prefix}${name}`, description: `${description} (placeholder until set with put-secret-value)`, generateSecretString: generate });

    this.sealingKey = new kms.Key(this, 'SealingKey', { enableKeyRotation: true, description: 'arazzo-sfn: seals credential outputs between steps' });

    const customersToken = secret('CustomersToken', 'fintecture/customers-token', 'Fintecture Customers-scoped bearer access token', { excludePunctuation: true });
    this.customerVerification = new ArazzoWorkflow(this, 'CustomerVerificationPoll', {
      arazzoFile: join(props.workflowsDir, 'customer-verification-poll.arazzo.yml'),
      workflowId: 'customer-verification-poll',
      secrets: { accessToken: customersToken },
      serverUrls: { customersApi: url },
      sealingKey: this.sealingKey,
      trigger: {
        description: 'A customer signed up on the merchant app: register and verify them with Fintecture',
        eventPattern: { source: ['merchant.app'], detailType: ['CustomerSignedUp'] },
        input: {
          firstName: events.EventField.fromPath('$.detail.firstName'),
          lastName: events.EventField.fromPath('$.detail.lastName'),
          email: events.EventField.fromPath('$.detail.email'),
          providerId: events.EventField.fromPath('$.detail.providerId'),
          expectedName: events.EventField.fromPath('$.detail.expectedName'),
        },
      },
    });

    const app = secret('FintectureApp', 'fintecture/app', 'Fintecture application id and secret (JSON: clientId, clientSecret)', {
      secretStringTemplate: JSON.stringify({ clientId: 'set-me' }),
      generateStringKey: 'clientSecret',
      excludePunctuation: true,
    });
    this.tokenThenPayment = new ArazzoWorkflow(this, 'TokenThenPayment', {
      arazzoFile: join(props.workflowsDir, 'token-then-payment.arazzo.yml'),
      workflowId: 'token-then-payment',
      secrets: { clientId: { secret: app, jsonKey: 'clientId' }, clientSecret: { secret: app, jsonKey: 'clientSecret' } },
      serverUrls: { oauthApi: url, pisApi: url },
      sealingKey: this.sealingKey,
      trigger: {
        description: 'A checkout completed on the merchant app: open a Fintecture payment for it',
        eventPattern: { source: ['merchant.app'], detailType: ['CheckoutCompleted'] },
        input: {
          amount: events.EventField.fromPath('$.detail.amount'),
          currency: events.EventField.fromPath('$.detail.currency'),
          communication: events.EventField.fromPath('$.detail.communication'),
          // The event's id is a UUID: a redelivered event opens no second payment (x-request-id is idempotent).
          requestId: events.EventField.fromPath('$.id'),
        },
      },
    });
  }
}
