import type { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { LoopPolicy } from '../../core/plan.js';
import type { CompileOptions } from '../../compiler/plan/compile-options.js';
import type { CostPrices } from '../../compiler/cost/prices.js';
import type { ArazzoSigningKey } from './arazzo-signing-key.js';
import type { ArazzoWorkflow } from './arazzo-workflow.js';

// The public props of ArazzoWorkflow, apart from the construct so each file stays readable.
/** A credential input's secret, with the key of a JSON secret that holds the value. */
export interface ArazzoSecret {
  readonly secret: secretsmanager.ISecret;
  /**
   * The key of a JSON secret (`{"clientId": "...", "clientSecret": "..."}`) that holds the value.
   * @default - the whole secret string is the value
   */
  readonly jsonKey?: string;
}

/** Starts the workflow from an EventBridge event. */
export interface ArazzoEventTrigger {
  /** @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html */
  readonly eventPattern: events.EventPattern;
  /** @default the account's default event bus */
  readonly eventBus?: events.IEventBus;
  /**
   * The execution input built from the event: workflow input name → value, typically
   * `events.EventField.fromPath('$.detail.email')` (a path of dotted names and `[index]`es), or a
   * constant. Credential inputs bound in `secrets` are added as their secret references unless
   * set here. The rule sends the whole event with each input's path, and the workflow's input
   * check picks the paths the event has: an input the event lacks is left out, so its schema
   * `default` applies (a JSON input template could only write it, as null or "").
   * @default - the event's `detail`, which must then carry `secret:` references for credentials
   */
  readonly input?: Readonly<Record<string, unknown>>;
  /** @default - no description */
  readonly description?: string;
  /** How often EventBridge retries starting an execution that failed to start. @default 2 */
  readonly retryAttempts?: number;
  /**
   * How long EventBridge keeps retrying an event whose execution failed to start.
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;
  /**
   * Where an event goes when its execution could not be started (StartExecution refused,
   * throttled past the retries): a checkout that should have opened a payment is kept, not dropped.
   * @default - a new SQS queue (SQS-managed encryption, TLS only, 14 days), `ArazzoWorkflow.deadLetterQueue`
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

export interface ArazzoWorkflowProps {
  /** Path of the Arazzo document (`.arazzo.yml`); its sources resolve against it. */
  readonly arazzoFile: string;
  /** The workflow of the document this construct deploys. */
  readonly workflowId: string;
  /**
   * The secret of each credential input the workflow's steps send, by input name. Binding an
   * input also declares it a credential. Executions carry `secret:<input name>` (plus
   * `#<jsonKey>`) for it, never the value: see `secretReferences`.
   * @default {} - a workflow whose steps send a credential input fails to synthesize without it
   */
  readonly secrets?: Readonly<Record<string, secretsmanager.ISecret | ArazzoSecret>>;
  /**
   * Server URL per source description name, instead of the OpenAPI description's first
   * `servers[].url` (a provider's sandbox, a regional endpoint).
   * @default {}
   */
  readonly serverUrls?: Readonly<Record<string, string>>;
  /**
   * Pacing and bound of `goto` loops the document leaves open (`CompileOptions.defaultLoop`).
   * @default { intervalSeconds: 5, backoffRate: 1.5, maxDelaySeconds: 60, maxAttempts: 20 }
   */
  readonly defaultLoop?: Partial<LoopPolicy>;
  /**
   * Severity of the response checks besides the step's successCriteria (`--severity` of the
   * CLI): `CONTENT_TYPE_CHECK`, `SCHEMA_CHECK`; `error` fails the step, `warn` records the
   * finding in the step's result (the execution history) and lets the criteria decide, `off`
   * skips the check.
   * @default { CONTENT_TYPE_CHECK: 'warn', SCHEMA_CHECK: 'warn' }
   */
  readonly severity?: CompileOptions['checks'];
  /**
   * A provider's 429 with `Retry-After` to a call that may be repeated (`CompileOptions.throttle`,
   * `--throttle` of the CLI): the Task's Catch sends it through `<state>.throttled`, a Wait of the
   * header's delay, and back; nothing is added to an execution without a 429. A delay longer than
   * `maxWaitSeconds`, or more than `maxWaits` throttled answers in a row, fails the step with
   * `Arazzo.Throttled`. `false`: a 429 goes to the Task's provider-fault Retry, as a 5xx does.
   * An EXPRESS state machine accepts these Waits (a loop's Wait it refuses): they are bounded,
   * and its 5 minutes still bound the whole execution.
   * @default { maxWaitSeconds: 60, maxWaits: 5 }
   */
  readonly throttle?: CompileOptions['throttle'];
  /**
   * Request signing by configuration, per source description name (`CompileOptions.signing`,
   * the fields of `x-arazzo-sfn-signing`): how a seed's payment calls are signed without editing
   * it. Its `key` names an entry of `signingKeys` (KMS) or a PEM secret.
   * @default - the descriptions' own declarations
   */
  readonly signing?: CompileOptions['signing'];
  /**
   * Shared by the workflows of one deployment, so a parent can hand a sealed token to a child:
   * the AES-GCM additional data and the KMS encryption context of every sealed value.
   * @default "arazzo-sfn"
   */
  readonly sealContext?: string;
  /**
   * The key that encrypts sealing data keys. Workflows that hand sealed values to each other
   * (nested executions) must share one.
   * @default - a new key, with yearly rotation
   */
  readonly sealingKey?: kms.IKey;
  /**
   * KMS asymmetric keys (key usage SIGN_VERIFY) by signing key name: a signing declaration whose
   * `key` names one (or a private_key_jwt entry whose `clientAssertionKey` does) signs with
   * `kms:Sign`, so the private key never leaves KMS. Only the
   * functions whose steps sign with a key are granted `kms:Sign` on it. Key names not listed are
   * read as PEM secrets. `ArazzoSigningKey.create()` has the workflow create the key (retained on
   * delete; its ARN is the stack output `SigningKey<name>Arn`, and `arazzo-sfn public-key <arn>`
   * prints its public key as PEM or JWK for registering with the provider). See docs/signing.md.
   * @default {} (no KMS signing keys)
   */
  readonly signingKeys?: Readonly<Record<string, kms.IKey | ArazzoSigningKey>>;
  /**
   * PEM private keys in Secrets Manager, by signing key name, for keys not in `signingKeys`: the
   * key of a `private_key_jwt` client assertion (`x-security` value `clientAssertionKey`; required
   * for each such key that is not a KMS key) or of a signing declaration. The secret's whole
   * string is the PEM. Only the functions whose steps sign with a key may read its secret.
   * @default {} - client assertion keys must then be KMS keys (`signingKeys`)
   */
  readonly signingKeySecrets?: Readonly<Record<string, secretsmanager.ISecret>>;
  /**
   * EXPRESS only for a workflow with no Wait state (polling loops, `retry` actions) and no
   * `.sync`/`.waitForTaskToken` integration (nested workflows, callback steps): Express
   * executions last at most five minutes and support neither.
   * @default sfn.StateMachineType.STANDARD
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html
   */
  readonly stateMachineType?: sfn.StateMachineType;
  /** @default - generated by CloudFormation */
  readonly stateMachineName?: string;
  /**
   * The workflows this one starts (workflow steps, `goto` a workflow, `dependsOn`), by workflow
   * id, or `<source>.<workflowId>` for a workflow of an arazzo-typed source description. An
   * `ArazzoWorkflow` is started through its alias `live` (the version its last deploy published);
   * a state machine is started by its ARN as given (its latest revision, unless the ARN names a
   * version or alias).
   * @default {} - a workflow that starts another fails to synthesize without it
   */
  readonly nestedWorkflows?: Readonly<Record<string, sfn.IStateMachine | ArazzoWorkflow>>;
  /**
   * Personal data of the workflow, for a document kept verbatim (the inputs schema's
   * `x-arazzo-sfn-personal: true` declares it in the document): input paths (`email`,
   * `address.city`, `/address/city`) and step outputs (`$steps.<stepId>.outputs.<name>`). They
   * travel sealed with the sealing key; only the functions of steps that send them open them. With
   * personal inputs, the trigger starts executions through the starter function (`starter`), which
   * seals them before the execution exists; other callers invoke it too, or seal themselves.
   * @default [] - what the document declares
   */
  readonly personalData?: readonly string[];
  /** @default - no trigger: start executions with StartExecution */
  readonly trigger?: ArazzoEventTrigger;
  /**
   * Which execution events go to CloudWatch Logs. Execution data (inputs, outputs) is never
   * logged, whatever the level.
   * @default sfn.LogLevel.ALL
   */
  readonly logLevel?: sfn.LogLevel;
  /** Retention of the state machine's and the functions' log groups. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** X-Ray tracing of the state machine and its functions. @default true */
  readonly tracing?: boolean;
  /**
   * Bound of a whole execution (the definition's `TimeoutSeconds`): past it the execution ends
   * with `States.Timeout`, whatever step it is in.
   * @default - one that covers the plan's longest path of bounded waits (receive and callback timeouts, polling loops, retries), rounded up to the hour, at least a day and at most a year (docs/execution-bound.md); 5 minutes for EXPRESS
   */
  readonly timeout?: Duration;
  /** Memory of each function, in MiB. @default 256 */
  readonly memorySize?: number;
  /**
   * Reserved concurrency of the webhook receiver (a workflow with callback steps): its Function
   * URL is public, so a flood of callbacks could otherwise take the account's concurrency from
   * the operation functions. Reserving takes that many executions out of the account's
   * unreserved pool, which must keep at least 100: small accounts cannot reserve any.
   * @default - not reserved
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  readonly webhookReservedConcurrency?: number;
  /**
   * The webhook verification key of each callback step that declares
   * `x-arazzo-sfn-callback.verify`, and of each receive step that declares `x-arazzo-sfn-verify`,
   * by its `secret` name: an HMAC key, or an application's
   * RSA private key (PEM). Only the webhook receiver may read them, and only these.
   * @default {} - a workflow whose callback steps declare `verify` fails to synthesize without them
   */
  readonly webhookKeys?: Readonly<Record<string, secretsmanager.ISecret | ArazzoSecret>>;
  /**
   * Webhook verification by configuration, by step id, for a document kept verbatim
   * (`CompileOptions.webhookVerification`): the declaration a callback step's
   * `x-arazzo-sfn-callback.verify` or a receive step's `x-arazzo-sfn-verify` holds (`scheme`,
   * `secret`, `header`, `keyId`, `toleranceSeconds`), used instead of the document's. Its
   * `secret` names an entry of `webhookKeys`. Seed 003's callback is verified this way.
   * @default - the document's declarations
   */
  readonly webhookVerification?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * The SQS queues that receive steps read (Arazzo 1.1, a channel bound to `sqs`), by the queue
   * name of the binding: an existing queue (`sqs.Queue.fromQueueArn`, or one of this app), or
   * `'create'` for a queue of that name that this construct creates (SQS-managed encryption, SSL
   * enforced, a dead-letter queue after 5 receives). A queue not named here is the queue of that
   * name in the stack's account and region. A receive step on an SNS topic always reads a queue
   * the construct creates and subscribes to the topic.
   * @default - each queue found by name in the stack's account and region
   * @see docs/asyncapi.md
   */
  readonly receiveQueues?: Readonly<Record<string, sqs.IQueue | 'create'>>;
  /**
   * Prices and assumed durations of the cost report (`ArazzoWorkflow.cost`, and the construct's
   * `arazzo-sfn:cost` metadata): any of them, the rest stay the defaults.
   * @default - us-east-1 list prices (Step Functions Standard, Lambda arm64), `memorySize`, 250 ms per operation call, 20 ms per workflow function call
   */
  readonly costPrices?: Partial<CostPrices>;
  /**
   * Whether the stack outputs the state machine's ARN (`StateMachineArn`) and, for a workflow
   * with callback steps, the webhook's URL (`WebhookUrl`), for `cdk deploy --outputs-file`.
   * @default true
   */
  readonly cfnOutputs?: boolean;
}
