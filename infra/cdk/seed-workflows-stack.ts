import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CONNECTFI_WEBHOOK_KEY, FINTECTURE_WEBHOOK_APP, fintecturePisSigning, fintectureWebhookVerification, SEED_PERSONAL_DATA, SEED_WEBHOOK_VERIFICATION } from '../seed-declarations.js';
import { ArazzoSigningKey } from './arazzo-signing-key.js';
import { ArazzoWorkflow } from './arazzo-workflow.js';

/** Fintecture's sandbox: a deployed demo must not reach the production API the OpenAPI descriptions name first. */
export const FINTECTURE_SANDBOX_URL = 'https://api-sandbox.fintecture.com';

/** The name seed 001's signing declaration gives its KMS key (the stack output `SigningKeyFintecturePisSigningArn`). */
export const FINTECTURE_SIGNING_KEY = 'fintecture-pis-signing';

export interface SeedWorkflowsStackProps extends StackProps {
  /** The directory of the seed documents. */
  readonly workflowsDir: string;
  /**
   * Server of the three Fintecture APIs (Customers, OAuth, PIS).
   * @default FINTECTURE_SANDBOX_URL
   */
  readonly fintectureUrl?: string;
  /**
   * Server of the Mbanq Cloud API; the banking instance (sandbox or production) is chosen by each
   * execution's `tenantId`.
   * @default the OpenAPI description's, https://api.cloud.mbanq.com
   */
  readonly mbanqUrl?: string;
  /**
   * Your connectFi instance (connectFi has no public host: it gives each client its own sandbox
   * and production URL).
   * @default the OpenAPI description's placeholder, https://connectfi.invalid, which resolves nowhere
   */
  readonly connectFiUrl?: string;
  /**
   * Secrets Manager secrets: `create` them (their values are placeholders, set the real
   * credentials after the first deploy), or `import` existing ones by name.
   * @default "create"
   */
  readonly secrets?: 'create' | 'import';
  /** Prefix of the secrets' names. @default "arazzo-sfn/" */
  readonly secretNamePrefix?: string;
  /**
   * What happens to the created secrets when the stack is deleted. Kept by default, as the
   * sealing key is: a provider's credentials outlive one deployment, and a deleted secret's name
   * cannot be reused for 7 to 30 days.
   * @default RemovalPolicy.RETAIN
   */
  readonly secretRemovalPolicy?: RemovalPolicy;
  /**
   * The Fintecture application whose signed payment webhooks `fintecture-payment-webhook` accepts:
   * the `keyId` their `Signature` names, your application id (the `clientId` of the
   * `fintecture/webhook-app` secret). The receiver opens their signatures with that application's
   * private key, the `fintecture/webhook-key` secret.
   * @default the document's, `demo-merchant-app` (the demo's application): every real webhook is then refused, and the workflow reads the session back after its hour-long wait
   */
  readonly fintectureWebhookAppId?: string;
  /**
   * Reserved concurrency of each webhook receiver, connectFi's and Fintecture's payment webhooks'
   * (`ArazzoWorkflow.webhookReservedConcurrency`).
   * @default - not reserved: small accounts cannot reserve any
   */
  readonly webhookReservedConcurrency?: number;
}

/**
 * The seed workflows as deployed: seed 000 (customer verification with polling) starts on a
 * merchant's `CustomerSignedUp` event, seed 001 (token then payment) on `CheckoutCompleted`,
 * seed 003 (connectFi KYC by webhook callback, its callbacks verified with connectFi's HMAC key
 * by configuration) on `KycRequested`, seed 004 (Mbanq onboarding)
 * on `BankCustomerApplied`; `fintecture-payment-webhook` (Arazzo 1.1) opens a payment of its own
 * Fintecture application and settles it on the application's signed webhook, started with
 * StartExecution. They share one sealing key and seal context, as the workflows of one
 * deployment do. Seed 001 signs its payment calls with a KMS key the stack creates (register its
 * public key with Fintecture: `arazzo-sfn public-key <SigningKeyFintecturePisSigningArn>`), and
 * the seeds' personal inputs (SEED_PERSONAL_DATA) travel sealed: their triggers start executions
 * through each workflow's starter function, which seals them before an execution exists.
 */
export class SeedWorkflowsStack extends Stack {
  readonly customerVerification: ArazzoWorkflow;
  readonly tokenThenPayment: ArazzoWorkflow;
  readonly connectFiKyc: ArazzoWorkflow;
  readonly mbanqVerifyCustomer: ArazzoWorkflow;
  /** A Fintecture payment settled by its signed webhook (`fintecture-payment-webhook`, Arazzo 1.1), started with StartExecution. */
  readonly fintecturePaymentWebhook: ArazzoWorkflow;
  readonly sealingKey: kms.Key;
  /** Seed 001's request signing key (RSA_2048, SIGN_VERIFY, retained); only its PIS operation functions may sign with it. */
  readonly signingKey: kms.IKey;

  constructor(scope: Construct, id: string, props: SeedWorkflowsStackProps) {
    super(scope, id, props);
    const url = props.fintectureUrl ?? FINTECTURE_SANDBOX_URL;
    const prefix = props.secretNamePrefix ?? 'arazzo-sfn/';
    // Created secrets hold a random placeholder in their final shape, so a forgotten value fails as a refused credential.
    const secret = (sid: string, name: string, description: string, generate: secretsmanager.SecretStringGenerator): secretsmanager.ISecret =>
      props.secrets === 'import'
        ? secretsmanager.Secret.fromSecretNameV2(this, sid, `${prefix}${name}`)
        : new secretsmanager.Secret(this, sid, {
            secretName: `${prefix}${name}`,
            description: `${description} (placeholder until set with put-secret-value)`,
            generateSecretString: generate,
            removalPolicy: props.secretRemovalPolicy ?? RemovalPolicy.RETAIN,
          });

    this.sealingKey = new kms.Key(this, 'SealingKey', { enableKeyRotation: true, description: 'arazzo-sfn: seals credential outputs between steps' });

    const customersToken = secret('CustomersToken', 'fintecture/customers-token', 'Fintecture Customers-scoped bearer access token', { excludePunctuation: true });
    this.customerVerification = new ArazzoWorkflow(this, 'CustomerVerificationPoll', {
      arazzoFile: join(props.workflowsDir, 'customer-verification-poll.arazzo.yml'),
      workflowId: 'customer-verification-poll',
      personalData: SEED_PERSONAL_DATA['customer-verification-poll'],
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
      // keyId: Fintecture registers a public key under the application id, the clientId the secret holds.
      signing: fintecturePisSigning(FINTECTURE_SIGNING_KEY, '$inputs.clientId'),
      signingKeys: { [FINTECTURE_SIGNING_KEY]: ArazzoSigningKey.create({ description: 'arazzo-sfn: signs seed 001\'s Fintecture PIS requests (draft-cavage rsa-sha256)' }) },
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
    this.signingKey = this.tokenThenPayment.signingKeys[FINTECTURE_SIGNING_KEY];

    // The API user and its password in one secret: the events carry customer data only, and rotating the user is one update.
    const connectFiUser = secret('ConnectFiApiUser', 'connectfi/api-user', 'connectFi API user (JSON: login, password)', {
      secretStringTemplate: JSON.stringify({ login: 'set-me' }),
      generateStringKey: 'password',
      excludePunctuation: true,
    });
    // connectFi signs each KYC webhook with this HMAC key (set it to the one connectFi gives you): seed 003's callbacks are verified
    // by configuration (SEED_WEBHOOK_VERIFICATION), the document unedited; only the webhook receiver may read it.
    const connectFiWebhookKey = secret('ConnectFiWebhookKey', CONNECTFI_WEBHOOK_KEY, 'connectFi KYC webhook signing key (HMAC-SHA256)', { excludePunctuation: true, passwordLength: 43 });
    this.connectFiKyc = new ArazzoWorkflow(this, 'ConnectFiKycCallback', {
      arazzoFile: join(props.workflowsDir, 'connectfi-kyc-callback.arazzo.yml'),
      workflowId: 'connectfi-kyc-callback',
      personalData: SEED_PERSONAL_DATA['connectfi-kyc-callback'],
      secrets: { login: { secret: connectFiUser, jsonKey: 'login' }, password: { secret: connectFiUser, jsonKey: 'password' } },
      ...(props.connectFiUrl ? { serverUrls: { connectFiApi: props.connectFiUrl } } : {}),
      sealingKey: this.sealingKey,
      // startKyc waits up to 2 days for its callback, then the fallback poll up to about a day more.
      timeout: Duration.days(4),
      ...(props.webhookReservedConcurrency !== undefined ? { webhookReservedConcurrency: props.webhookReservedConcurrency } : {}),
      webhookVerification: SEED_WEBHOOK_VERIFICATION['connectfi-kyc-callback'],
      webhookKeys: { [CONNECTFI_WEBHOOK_KEY]: connectFiWebhookKey },
      trigger: {
        description: 'A customer asked to be verified: register them with connectFi and run KYC to a settled status',
        eventPattern: { source: ['merchant.app'], detailType: ['KycRequested'] },
        input: {
          reference: events.EventField.fromPath('$.detail.reference'),
          firstName: events.EventField.fromPath('$.detail.firstName'),
          lastName: events.EventField.fromPath('$.detail.lastName'),
          dateOfBirth: events.EventField.fromPath('$.detail.dateOfBirth'),
          email: events.EventField.fromPath('$.detail.email'),
        },
      },
    });

    const mbanqUser = secret('MbanqApiUser', 'mbanq/api-user', 'Mbanq API user and OAuth application (JSON: username, password, clientId, clientSecret)', {
      secretStringTemplate: JSON.stringify({ username: 'set-me', clientId: 'set-me', clientSecret: 'set-me' }),
      generateStringKey: 'password',
      excludePunctuation: true,
    });
    this.mbanqVerifyCustomer = new ArazzoWorkflow(this, 'MbanqVerifyCustomer', {
      arazzoFile: join(props.workflowsDir, 'mbanq-verify-customer.arazzo.yml'),
      workflowId: 'mbanq-verify-customer',
      personalData: SEED_PERSONAL_DATA['mbanq-verify-customer'],
      secrets: Object.fromEntries(['username', 'password', 'clientId', 'clientSecret'].map((key) => [key, { secret: mbanqUser, jsonKey: key }])),
      ...(props.mbanqUrl ? { serverUrls: { mbanqApi: props.mbanqUrl } } : {}),
      sealingKey: this.sealingKey,
      trigger: {
        description: 'A customer applied for an account: create, verify (KYC) and activate them on Mbanq',
        eventPattern: { source: ['merchant.app'], detailType: ['BankCustomerApplied'] },
        // The whole profile, as the workflow's inputs name it. An event may leave out the optional ones (addIdentifier,
        // kycVerificationType: their defaults apply; the document fields, required unless addIdentifier is false).
        input: Object.fromEntries(
          ['tenantId', 'firstname', 'lastname', 'emailAddress', 'mobileNo', 'address', 'onboardingDate', 'addIdentifier', 'documentTypeId', 'documentKey', 'kycVerificationType'].map((name) => [
            name,
            events.EventField.fromPath(`$.detail.${name}`),
          ]),
        ),
      },
    });

    // Fintecture encrypts a webhook's signature to the application's public key, so the receiver needs its private key: a KMS
    // SIGN_VERIFY key (seed 001's) cannot decrypt. This application keeps its key pair as a PEM secret, which signs its PIS
    // requests and opens its webhooks; register its public key with Fintecture, and the receiver's URL
    // (<WebhookUrl output>/messages/fintectureWebhooks/paymentStatus) as the application's webhook URL.
    const webhookApp = secret('FintectureWebhookApp', FINTECTURE_WEBHOOK_APP.credentials, 'Fintecture application whose payments settle by webhook (JSON: clientId, clientSecret)', {
      secretStringTemplate: JSON.stringify({ clientId: 'set-me' }),
      generateStringKey: 'clientSecret',
      excludePunctuation: true,
    });
    const webhookAppKey = secret('FintectureWebhookAppKey', FINTECTURE_WEBHOOK_APP.privateKey, 'Private key (PEM) of the Fintecture application whose payments settle by webhook', { excludePunctuation: true });
    this.fintecturePaymentWebhook = new ArazzoWorkflow(this, 'FintecturePaymentWebhook', {
      arazzoFile: join(props.workflowsDir, 'fintecture-payment-webhook.arazzo.yml'),
      workflowId: 'fintecture-payment-webhook',
      secrets: { clientId: { secret: webhookApp, jsonKey: 'clientId' }, clientSecret: { secret: webhookApp, jsonKey: 'clientSecret' } },
      serverUrls: { oauthApi: url, pisApi: url },
      sealingKey: this.sealingKey,
      signing: fintecturePisSigning(FINTECTURE_WEBHOOK_APP.privateKey, '$inputs.clientId'),
      signingKeySecrets: { [FINTECTURE_WEBHOOK_APP.privateKey]: webhookAppKey },
      webhookKeys: { [FINTECTURE_WEBHOOK_APP.privateKey]: webhookAppKey },
      ...(props.fintectureWebhookAppId ? { webhookVerification: { awaitPaymentWebhook: fintectureWebhookVerification(props.fintectureWebhookAppId, FINTECTURE_WEBHOOK_APP.privateKey) } } : {}),
      ...(props.webhookReservedConcurrency !== undefined ? { webhookReservedConcurrency: props.webhookReservedConcurrency } : {}),
    });
  }
}
