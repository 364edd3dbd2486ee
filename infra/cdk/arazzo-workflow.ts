import { join, resolve } from 'node:path';
import { ArnFormat, CfnOutput, Duration, Names, RemovalPolicy, Stack, Stage, Tokenization, ValidationError, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HandlerEnvironment, PlanDefines } from '../../functions/handlers/environment.js';
import { DROPPED_MESSAGE_METRIC, FORGED_CALLBACK_METRIC, OVERSIZED_MESSAGE_METRIC } from '../../functions/handlers/metrics.js';
import { CALLBACK_KEY_ATTRIBUTE, CALLBACK_TTL_ATTRIBUTE } from '../../functions/runtime/callbacks/dynamodb-callback-store.js';
import { SEAL_CONTEXT_KEY } from '../../functions/runtime/secrets/kms-sealer.js';
import { brokerTargetName } from '../../functions/runtime/messages/publish-message.js';
import type { CompiledWorkflow } from '../../compiler/compile-file.js';
import { DEFAULT_SEAL_CONTEXT, resolveThrottle } from '../../compiler/plan/compile-options.js';
import { isThrottleWait } from '../../compiler/emit/emit-asl.js';
import { nodeVersionProblem } from '../../core/node-version.js';
import { XML_LIBRARIES } from '../../core/criteria/xml-libraries.js';
import { EVENT_INPUT_KEY, parseEventPath } from '../../core/event-input.js';
import type { TriggerMapping } from '../../functions/runtime/personal/start-sealed.js';
import { estimateCost, type CostReport } from '../../compiler/cost/estimate-cost.js';
import { withPrices } from '../../compiler/cost/prices.js';
import { compileWorkflowSync } from './compile-workflow-sync.js';
import { planBroker, planFunctions, planStarter, planWebhook, type BrokerSpec, type FunctionSpec, type StarterSpec, type WebhookSpec } from './plan-functions.js';
import { wireBrokerReceivers, type BrokerWiring } from './receive-brokers.js';
import { iotDataEndpointUrl } from './iot-data-endpoint.js';
import { handlerEntry, packageRoot } from './package-paths.js';
import { ESM_REQUIRE_BANNER } from '../esm-require-banner.js';
import { LIVE_ALIAS, planHash, previousShape, shapeChanges, shapeHash, stateShape, STATE_SHAPE_METADATA } from './versions.js';

import { ArazzoSigningKey, KEY_SPECS_BY_ALGORITHM, SIGNING_KEY_ADMIN_ACTIONS } from './arazzo-signing-key.js';
import { KMS_SIGNING_ALGORITHMS } from '../../functions/runtime/signing/kms-signing-keys.js';
import { clientAssertionKeys } from '../../functions/runtime/auth/client-assertion.js';
import type { SigningAlgorithm, StepPlan } from '../../core/plan.js';
import type { ArazzoEventTrigger, ArazzoSecret, ArazzoWorkflowProps } from './arazzo-workflow-props.js';

export type { ArazzoEventTrigger, ArazzoSecret, ArazzoWorkflowProps } from './arazzo-workflow-props.js';
export { ArazzoSigningKey, type ArazzoSigningKeyOptions } from './arazzo-signing-key.js';

/** Plans are compiled into each bundle as an esbuild define; a command-line argument is capped at 128 KiB on Linux. */
const MAX_PLAN_DEFINE_BYTES = 100 * 1024;
const EXPRESS_MAX = Duration.minutes(5);
/**
 * AWS's prefix for the log groups of vended logs: a log group under it needs no CloudWatch Logs
 * resource policy entry of its own, so many state machines do not exhaust the policy's 5,120 characters.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
 */
export const VENDED_LOGS_PREFIX = '/aws/vendedlogs/states/';

/**
 * One Arazzo workflow on AWS: the compiled state machine (state names are the step ids), one
 * Lambda function per operation its steps call and one workflow function (input checks,
 * workflow steps), each bundled with only its own plans and allowed only its own secrets.
 * Credentials come from Secrets Manager; credential outputs are sealed with a KMS data key.
 * A workflow with callback steps (`x-arazzo-sfn-callback`) also gets its webhook receiver: a
 * Lambda function behind a Function URL and a DynamoDB table of pending callbacks.
 */
export class ArazzoWorkflow extends Construct {
  /**
   * The workflow `props.workflowId` of the Arazzo document at `arazzoFile` (its sources resolve
   * against it): `new ArazzoWorkflow(scope, id, { ...props, arazzoFile })`.
   */
  static fromFile(scope: Construct, id: string, arazzoFile: string, props: Omit<ArazzoWorkflowProps, 'arazzoFile'>): ArazzoWorkflow {
    return new ArazzoWorkflow(scope, id, { ...props, arazzoFile });
  }

  readonly stateMachine: sfn.StateMachine;
  /**
   * The version this deploy publishes (its description: the plan hash and the state-shape hash).
   * Kept when a later deploy publishes another (DeletionPolicy and UpdateReplacePolicy Retain):
   * executions that started on it run to their end on its definition and its Lambda versions.
   */
  readonly version: sfn.CfnStateMachineVersion;
  /** The alias `live`, moved to `version` by every deploy: triggers and `grantStartExecution` go through it. */
  readonly alias: sfn.CfnStateMachineAlias;
  /** The hash of the definition and plans this deploy embeds (also in the version's description). */
  readonly planHash: string;
  /** What the compiler produced for this workflow (plans, ASL with `${...}` placeholders, task bindings). */
  readonly compiled: CompiledWorkflow;
  /**
   * What an execution costs: state transitions and Lambda invocations per execution (loops per
   * turn) and the price per 1,000 executions (`costPrices`). Also the construct's `arazzo-sfn:cost` metadata.
   */
  readonly cost: CostReport;
  /** The Lambda functions by function key (`<source>.<operationId>`, `<workflowId>.workflow`). */
  readonly functions: Readonly<Record<string, nodejs.NodejsFunction>>;
  /** The execution input value of each bound credential input: `secret:<input>` (plus `#<jsonKey>`). */
  readonly secretReferences: Readonly<Record<string, string>>;
  readonly sealingKey: kms.IKey;
  /**
   * The KMS signing keys by signing key name: those of `signingKeys`, the ones created by
   * `ArazzoSigningKey.create()` included (their ARNs are the outputs `SigningKey<name>Arn`).
   */
  readonly signingKeys: Readonly<Record<string, kms.IKey>>;
  /** The roles allowed to sign with each created key, by key name (its key policy names them). */
  private readonly signers = new Map<string, { roles: iam.IRole[]; algorithms: Set<SigningAlgorithm> }>();
  /** The execution log group, named under `/aws/vendedlogs/states/`. */
  readonly logGroup: logs.LogGroup;
  readonly rule?: events.Rule;
  /** Where the trigger puts events whose execution could not be started (when it has a trigger). */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * The execution ARNs (`...:execution:<child>:*`) of the nested workflows this state machine
   * describes and stops: a `.sync` integration names no execution in advance, hence the wildcard
   * that cdk-nag's AwsSolutions-IAM5 reports (see `acknowledgeArazzoWorkflowFindings`).
   */
  readonly nestedExecutionArns: readonly string[] = [];
  /**
   * When the workflow has personal inputs: the function that seals them and starts an execution
   * through the alias. The trigger invokes it with the event; other callers invoke it with
   * `{"input": {...}, "name"?: "..."}` (grant with `grantInvoke`) instead of calling StartExecution
   * with the inputs in plain, which the input check refuses (and which the history would keep).
   */
  readonly starter?: nodejs.NodejsFunction;
  /** Pending callbacks by callback id (TTL `expiresAt`), when the workflow has callback steps. */
  readonly callbackTable?: dynamodb.Table;
  /** The webhook receiver that resumes callback steps, when the workflow has any. */
  readonly webhook?: nodejs.NodejsFunction;
  /** Its Function URL: callback steps hand providers `<url>/callbacks?id=<per-execution id>`. */
  readonly webhookUrl?: lambda.FunctionUrl;
  /**
   * The receiver of receive steps on SQS, SNS, EventBridge or MQTT channels (Arazzo 1.1), when the
   * workflow has any: the target of their queues' event source mappings, their rules and their IoT topic rules.
   */
  readonly brokerReceiver?: nodejs.NodejsFunction;
  /** The queues, topic subscriptions, rules and IoT topic rules that feed `brokerReceiver`. */
  readonly brokerWiring?: BrokerWiring;

  constructor(scope: Construct, id: string, props: ArazzoWorkflowProps) {
    super(scope, id);
    // On an older Node the compiler's child process would fail while loading: say so in one line, as the CLI does.
    const nodeProblem = nodeVersionProblem();
    if (nodeProblem) this.fail(nodeProblem);
    const type = props.stateMachineType ?? sfn.StateMachineType.STANDARD;
    const express = type === sfn.StateMachineType.EXPRESS;
    // STANDARD without a timeout: the compiler's bound, which covers the plan's longest path of bounded waits (docs/execution-bound.md).
    const requestedTimeout = props.timeout ?? (express ? EXPRESS_MAX : undefined);
    if (express && requestedTimeout!.toSeconds() > EXPRESS_MAX.toSeconds()) this.fail(`an EXPRESS execution lasts at most 5 minutes; timeout is ${requestedTimeout!.toHumanString()}`);
    const bindings = normaliseSecrets(props.secrets ?? {});
    const sealContext = props.sealContext ?? DEFAULT_SEAL_CONTEXT;
    try {
      resolveThrottle(props.throttle);
    } catch (err) {
      this.fail((err as Error).message);
    }

    let compiledResponse: ReturnType<typeof compileWorkflowSync>;
    try {
      compiledResponse = compileWorkflowSync({
        file: resolve(props.arazzoFile),
        workflowId: props.workflowId,
        options: {
          ...(props.defaultLoop ? { defaultLoop: props.defaultLoop } : {}),
          ...(props.severity ? { checks: props.severity } : {}),
          ...(props.throttle !== undefined ? { throttle: props.throttle } : {}),
          ...(props.signing ? { signing: props.signing } : {}),
          ...(props.webhookVerification ? { webhookVerification: { [props.workflowId]: props.webhookVerification } } : {}),
          credentialInputs: { [props.workflowId]: Object.keys(bindings) },
          ...(props.personalData?.length ? { personalData: { [props.workflowId]: props.personalData } } : {}),
          sealContext,
        },
        ...(requestedTimeout ? { timeoutSeconds: requestedTimeout.toSeconds() } : {}),
      });
    } catch (err) {
      // A remote source that is not locked (or whose vendored copy changed): synth never fetches,
      // so the message names the command that does (docs/remote-sources.md).
      const message = (err as Error).message ?? '';
      if (/ASFN102[5-8]/.test(message)) this.fail(message.replace(/^arazzo-sfn: /, ''));
      throw err;
    }
    const { workflow } = compiledResponse;
    this.compiled = workflow;
    this.cost = estimateCost(workflow, withPrices({ memoryMb: props.memorySize ?? 256, ...props.costPrices }));
    this.node.addMetadata('arazzo-sfn:cost', this.cost);
    for (const w of compiledResponse.warnings) {
      Validations.of(this).addWarning(`arazzo-sfn:${w.code}`, `${w.file}:${w.line}:${w.col}: ${w.severity === 'error' ? 'error in another workflow: ' : ''}${w.message} [${w.rule}]`);
    }
    if (express) this.checkExpress();
    const webhookSpec = planWebhook(workflow);
    const brokerSpec = planBroker(workflow);
    // A callback or receive step that waits as long as the execution lasts is the compiler's ASFN2171 (with `timeout` as the
    // bound, passed above), shown with the warnings: it absorbed the construct's own CallbackOutlivesExecution warning.

    const webhookKeys = normaliseSecrets(props.webhookKeys ?? {});
    // Callback steps' `verify` and receive steps' `x-arazzo-sfn-verify`: both are checked by the webhook receiver.
    const verifyKeys = [...new Set((webhookSpec?.steps ?? []).flatMap((s) => [s.callback?.verify?.secret, s.receive?.verify?.secret].filter((k): k is string => k !== undefined)))];
    for (const name of verifyKeys.filter((n) => !webhookKeys[n])) this.fail(`a callback or receive step of workflow ${props.workflowId} verifies its webhooks with key "${name}", which has no secret: set webhookKeys["${name}"]`);
    for (const name of Object.keys(webhookKeys).filter((n) => !verifyKeys.includes(n))) this.fail(`webhookKeys.${name}: no callback or receive step of workflow ${props.workflowId} verifies with it (they use: ${verifyKeys.join(', ') || 'none'})`);

    const readQueues = new Set((brokerSpec?.steps ?? []).flatMap((s) => (s.channel?.transport.kind === 'sqs' ? [s.channel.transport.queueName] : [])));
    for (const name of Object.keys(props.receiveQueues ?? {}).filter((n) => !readQueues.has(n))) {
      this.fail(`receiveQueues.${name}: no receive step of workflow ${props.workflowId} reads an SQS queue of that name (they read: ${[...readQueues].join(', ') || 'none'})`);
    }

    const declared = Object.keys((workflow.plan.inputsSchema.properties ?? {}) as Record<string, unknown>);
    for (const name of Object.keys(bindings)) {
      if (!declared.includes(name)) this.fail(`secrets.${name}: workflow ${props.workflowId} has no input "${name}" (its inputs: ${declared.join(', ') || 'none'})`);
    }
    this.secretReferences = Object.fromEntries(Object.entries(bindings).map(([name, b]) => [name, `secret:${name}${b.jsonKey ? `#${b.jsonKey}` : ''}`]));

    // Resolved before anything is built: a missing state machine is an error of the props, found in a second.
    const nestedSubstitutions: Record<string, string> = {};
    const nested: (sfn.IStateMachine | ArazzoWorkflow)[] = [];
    for (const [placeholder, target] of Object.entries(compiledResponse.stateMachinePlaceholders)) {
      const key = target.source ? `${target.source}.${target.workflowId}` : target.workflowId;
      const child = props.nestedWorkflows?.[key];
      if (!child) this.fail(`workflow ${props.workflowId} starts workflow "${key}": pass its ArazzoWorkflow (or state machine) in nestedWorkflows["${key}"]`);
      // An ArazzoWorkflow child starts through its alias `live`: a running parent keeps starting the child version that is live, never a half-deployed revision.
      nestedSubstitutions[placeholder] = child instanceof ArazzoWorkflow ? child.aliasArn : child.stateMachineArn;
      nested.push(child);
    }

    const specs = planFunctions(workflow);
    for (const spec of specs) {
      if (spec.kind !== 'operation') continue;
      for (const step of spec.steps) {
        const transport = step.channel?.action === 'send' ? step.channel.transport : undefined;
        // IAM reads * and ? in a resource as wildcards: a topic holding one could not be granted alone.
        if (transport?.kind === 'mqtt' && /[*?]/.test(transport.topic))
          this.fail(`step ${step.stepId} of workflow ${props.workflowId} publishes on MQTT topic "${transport.topic}", whose * or ? an IAM policy reads as a wildcard: iot:Publish cannot be granted on that topic alone`);
      }
      for (const input of spec.secretInputs.filter((name) => !bindings[name])) {
        const steps = spec.steps.filter((s) => s.credentialInputs.includes(input)).map((s) => s.stepId);
        this.fail(`step${steps.length > 1 ? 's' : ''} ${steps.join(', ')} of workflow ${props.workflowId} send${steps.length > 1 ? '' : 's'} credential input "${input}", which has no secret: set secrets.${input}`);
      }
    }
    this.sealingKey =
      props.sealingKey ??
      new kms.Key(this, 'SealingKey', { enableKeyRotation: true, description: `arazzo-sfn: seals credential outputs of workflow ${props.workflowId}` });
    this.signingKeys = this.resolveSigningKeys(props, specs);
    for (const spec of specs) {
      if (spec.kind !== 'operation') continue;
      for (const { key: name } of spec.steps.flatMap(clientAssertionKeys)) {
        if (!this.signingKeys[name] && !props.signingKeySecrets?.[name])
          this.fail(`workflow ${props.workflowId} signs private_key_jwt client assertions with key "${name}": set signingKeys.${name} (a KMS key) or signingKeySecrets.${name} (a secret holding the PEM private key)`);
      }
    }
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const tracing = props.tracing ?? true;
    const fnContext = { props, bindings, webhookKeys, sealContext, retention, tracing };
    if (webhookSpec || brokerSpec) {
      this.callbackTable = new dynamodb.Table(this, 'Callbacks', {
        partitionKey: { name: CALLBACK_KEY_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: CALLBACK_TTL_ATTRIBUTE,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // An AWS owned key would do as well; not the sealing key, whose grants are conditioned on the seal context DynamoDB does not send.
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        // Every item lives only as long as its step waits (plus a day): nothing to keep once the workflow is gone.
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
    if (brokerSpec) {
      this.brokerReceiver = this.createFunction(brokerSpec, fnContext);
      this.brokerWiring = wireBrokerReceivers(this, this.brokerReceiver, brokerSpec.steps, props.receiveQueues ?? {});
      this.brokerReceiver.addEnvironment(HandlerEnvironment.receiveQueues, Stack.of(this).toJsonString(this.brokerWiring.queueTargets));
    }
    if (webhookSpec) {
      this.webhook = this.createFunction(webhookSpec, fnContext);
      if (props.webhookReservedConcurrency !== undefined) {
        const reserved = props.webhookReservedConcurrency;
        if (!Number.isInteger(reserved) || reserved < 1) this.fail(`webhookReservedConcurrency must be a whole number of executions, at least 1; it is ${reserved}`);
        (this.webhook.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = reserved;
      }
      // Auth NONE: providers (connectFi) call a plain URL and sign nothing, so IAM auth cannot apply. The credential is the
      // per-execution callback id in the query string (256 random bits); without one the receiver answers 401 and touches nothing.
      this.webhookUrl = this.webhook.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    }
    const functions: Record<string, nodejs.NodejsFunction> = {};
    for (const spec of specs) {
      functions[spec.functionKey] = this.createFunction(spec, fnContext);
    }
    this.functions = functions;
    this.restrictSigning();

    // Each Task calls the function version this deploy publishes: a running execution keeps the code it started with.
    const definitionSubstitutions: Record<string, string> = { ...nestedSubstitutions };
    for (const [placeholder, functionKey] of Object.entries(compiledResponse.functionPlaceholders)) {
      definitionSubstitutions[placeholder] = functions[functionKey].currentVersion.functionArn;
    }
    this.logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      retention,
      logGroupName: `${VENDED_LOGS_PREFIX}${props.stateMachineName ?? Names.uniqueResourceName(this, { maxLength: 400, separator: '-' })}`,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(workflow.definition)),
      definitionSubstitutions,
      stateMachineType: type,
      ...(props.stateMachineName ? { stateMachineName: props.stateMachineName } : {}),
      logs: { destination: this.logGroup, level: props.logLevel ?? sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: tracing,
    });
    // The definition is a string CDK cannot read, so the state machine's role is granted by hand: the versions of its own functions,
    // every version (the role is shared by the state machine's versions, and an execution on an older one calls older function versions).
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: Object.values(functions).map((f) => `${f.functionArn}:*`) }),
    );
    this.planHash = planHash(workflow);
    ({ version: this.version, alias: this.alias } = this.publishVersion(workflow, Object.keys(functions)));
    for (const child of nested) this.grantNestedExecution(child);
    if (this.webhook) this.grantTaskResponse(this.webhook, 'Webhook.TaskResponse');
    if (this.brokerReceiver) this.grantTaskResponse(this.brokerReceiver, 'Broker.TaskResponse');
    // A receive step's function resumes its own Task when the message came before it waited.
    for (const spec of specs.filter((f) => f.kind === 'operation' && f.steps.some((st) => st.receive))) {
      this.grantTaskResponse(functions[spec.functionKey], `Operation.${spec.functionKey}.TaskResponse`);
    }

    const starterSpec = planStarter(workflow);
    if (starterSpec) this.starter = this.createFunction(starterSpec, fnContext);
    if (props.trigger) ({ rule: this.rule, deadLetterQueue: this.deadLetterQueue } = this.createRule(props.trigger));
    if (props.cfnOutputs ?? true) {
      new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn, description: `arazzo-sfn: the state machine of workflow ${props.workflowId}` });
      new CfnOutput(this, 'AliasArn', { value: this.aliasArn, description: `arazzo-sfn: start executions of workflow ${props.workflowId} here (alias ${LIVE_ALIAS})` });
      const eventDeadLetters = this.brokerWiring?.eventDeadLetters;
      if (eventDeadLetters) {
        new CfnOutput(this, 'BrokerDeadLettersUrl', {
          value: eventDeadLetters.queueUrl,
          description: `arazzo-sfn: events and MQTT messages for the receive steps of workflow ${props.workflowId} that EventBridge or AWS IoT could not deliver or the broker receiver still failed on after its retries; put or publish them again to redrive`,
        });
      }
      if (this.webhookUrl) new CfnOutput(this, 'WebhookUrl', { value: this.webhookUrl.url, description: `arazzo-sfn: the callback receiver of workflow ${props.workflowId}` });
      for (const name of this.signers.keys()) {
        new CfnOutput(this, `SigningKey${outputName(name)}Arn`, {
          value: this.signingKeys[name].keyArn,
          description: `arazzo-sfn: KMS key "${name}" signs the requests of workflow ${props.workflowId}. Register its public key with the provider: npx arazzo-sfn public-key <this ARN> --format pem (or jwk)`,
        });
      }
    }
  }

  /** The state machine's ARN. */
  get stateMachineArn(): string {
    return this.stateMachine.stateMachineArn;
  }

  /** The ARN of the alias `live` (`<state machine ARN>:live`): where executions start. */
  get aliasArn(): string {
    return this.alias.attrArn;
  }

  // Grants and metrics delegate to the state machine, as sfn.StateMachine has them.

  /** Allows `grantee` the given actions on this workflow's state machine. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.stateMachine.grant(grantee, ...actions);
  }

  /**
   * Allows `grantee` to start executions of this workflow through its alias `live`, and only so.
   * Step Functions authorizes a start on an alias against the unqualified state machine ARN
   * ("Authorization for versions and aliases" in its developer guide), so a statement naming the
   * alias ARN would be denied; the alias is pinned by the `states:StateMachineQualifier` key.
   */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:StartExecution'],
      resourceArns: [this.stateMachine.stateMachineArn],
      conditions: { StringEquals: { 'states:StateMachineQualifier': LIVE_ALIAS } },
    });
  }

  /** Allows `grantee` to list and describe this workflow's executions and read their histories. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantRead(grantee);
  }

  /** Allows `grantee` the given actions on this workflow's executions (`states:StopExecution`, ...). */
  grantExecution(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.stateMachine.grantExecution(grantee, ...actions);
  }

  /**
   * A metric of the state machine (`ExecutionsFailed`, `ExecutionTime`, ...).
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metric(metricName, props);
  }

  /** Executions that failed (a step failed, a loop hit its bound, invalid inputs). */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /** Executions that succeeded. */
  metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  /** Executions started. */
  metricStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricStarted(props);
  }

  /**
   * Callbacks the webhook receiver refused with 401 (a forged or replayed signature, an unknown
   * callback id), summed over 5 minutes: alarm on `> 0`. The receiver writes them as CloudWatch
   * Embedded Metric Format lines, dimension `WorkflowId`, with a `reason` field in the log.
   */
  metricForgedCallbacks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.webhook) this.fail('metricForgedCallbacks: this workflow has no callback step, so no webhook receiver');
    return this.receiverMetric(FORGED_CALLBACK_METRIC, props);
  }

  /**
   * Messages answered 413 `MessageTooLarge` (too large to receive, or to keep for a receive step
   * not waiting yet) by the webhook receiver or the broker receiver, summed over 5 minutes: alarm
   * on `> 0`. Embedded Metric Format lines, as `metricForgedCallbacks`.
   */
  metricOversizedMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.webhook && !this.brokerReceiver) this.fail('metricOversizedMessages: this workflow has no callback or receive step, so no receiver');
    return this.receiverMetric(OVERSIZED_MESSAGE_METRIC, props);
  }

  /**
   * Broker messages the broker receiver deleted without a receive step taking them (not JSON, no
   * step listens, no correlation id, too large to keep, failed on 5 times on a queue without a
   * redrive policy), summed over 5 minutes: alarm on `> 0`. No sender hears of them; the `reason`
   * is in the log line. Embedded Metric Format lines, as `metricForgedCallbacks`.
   */
  metricDroppedMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.brokerReceiver) this.fail('metricDroppedMessages: no receive step of this workflow listens on SQS, SNS or EventBridge, so no broker receiver');
    return this.receiverMetric(DROPPED_MESSAGE_METRIC, props);
  }

  private receiverMetric(metric: { readonly namespace: string; readonly name: string; readonly dimension: string }, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const { namespace, name, dimension } = metric;
    return new cloudwatch.Metric({ namespace, metricName: name, dimensionsMap: { [dimension]: this.compiled.plan.workflowId }, statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  /** Executions that ran past `timeout`. */
  metricTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTimedOut(props);
  }

  /**
   * Events the trigger could not start an execution for, waiting in its dead-letter queue (SQS
   * `ApproximateNumberOfMessagesVisible`, maximum over 5 minutes): alarm on `> 0`.
   */
  metricTriggerDeadLetters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.deadLetterQueue) this.fail('metricTriggerDeadLetters: this workflow has no trigger, so no dead-letter queue');
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', ...props });
  }

  /**
   * Events and MQTT messages for receive steps on EventBridge and MQTT channels that were lost to
   * the workflow so far, waiting in `brokerWiring.eventDeadLetters` (EventBridge or an IoT topic
   * rule could not invoke the broker receiver, or it still failed after Lambda's retries; SQS
   * `ApproximateNumberOfMessagesVisible`, maximum over 5 minutes): alarm on `> 0`.
   */
  metricBrokerDeadLetters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const queue = this.brokerWiring?.eventDeadLetters;
    if (!queue) this.fail('metricBrokerDeadLetters: no receive step of this workflow listens on an EventBridge channel or an MQTT topic, so there is no dead-letter queue for its events');
    return queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', ...props });
  }

  /** Executions stopped (StopExecution). */
  metricAborted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricAborted(props);
  }

  /** How long executions take, start to end (average over 5 minutes unless `props` says otherwise). */
  metricTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTime(props);
  }

  /**
   * Publishes this deploy's version of the state machine and moves the alias to it. The version is
   * a new resource whenever the definition's revision changes (a new function version changes the
   * definition too), and the old one is retained, as the retained function versions it calls. Synth
   * compares the state shape with the one the last synth into the same outdir recorded and warns
   * (`arazzo-sfn:StateShapeChanged`) when running executions would see the change.
   */
  private publishVersion(workflow: CompiledWorkflow, functionKeys: readonly string[]): { version: sfn.CfnStateMachineVersion; alias: sfn.CfnStateMachineAlias } {
    const shape = stateShape(workflow, functionKeys);
    const stage = Stage.of(this);
    const before = stage ? previousShape(stage.outdir, Stack.of(this).templateFile, this.node.path) : undefined;
    if (before) {
      const { lines, breaking } = shapeChanges(before, shape);
      if (lines.length) {
        Validations.of(this).addWarning(
          'arazzo-sfn:StateShapeChanged',
          `the execution-state shape of workflow ${this.compiled.plan.workflowId} changed since the last synth${breaking ? ', and executions already running may fail on it' : ''}: ${lines.join('; ')}`,
        );
      }
    }
    const version = new sfn.CfnStateMachineVersion(this, 'Version', {
      stateMachineArn: this.stateMachine.stateMachineArn,
      stateMachineRevisionId: (this.stateMachine.node.defaultChild as sfn.CfnStateMachine).attrStateMachineRevisionId,
      description: `arazzo-sfn ${workflow.plan.workflowId}: plan ${this.planHash}, state shape ${shapeHash(shape)}`.slice(0, 256),
    });
    version.applyRemovalPolicy(RemovalPolicy.RETAIN);
    version.addMetadata(STATE_SHAPE_METADATA, { path: this.node.path, shape });
    const alias = new sfn.CfnStateMachineAlias(this, 'Alias', {
      name: LIVE_ALIAS,
      description: `arazzo-sfn ${workflow.plan.workflowId}: the version executions start on`,
      routingConfiguration: [{ stateMachineVersionArn: version.attrArn, weight: 100 }],
    });
    return { version, alias };
  }

  /** The alias as a state machine to grant and target (EventBridge's StartExecution on the alias ARN). */
  private aliasAsStateMachine(): sfn.IStateMachine {
    const found = this.node.tryFindChild('AliasTarget') as sfn.IStateMachine | undefined;
    if (found) return found;
    const target = sfn.StateMachine.fromStateMachineArn(this, 'AliasTarget', this.alias.attrArn);
    // The EventBridge target grants its role through this method: make it the alias grant (an imported ARN would name the alias ARN, which is denied).
    target.grantStartExecution = (identity: iam.IGrantable) => this.grantStartExecution(identity);
    return target;
  }

  /**
   * The KMS keys of `signingKeys`, creating those made with `ArazzoSigningKey.create()`: its spec
   * checked against (or, when not given, chosen for) the algorithm of every step that signs with
   * it. A created key that no step signs with is an error: it would be a key for nothing.
   */
  private resolveSigningKeys(props: ArazzoWorkflowProps, specs: readonly FunctionSpec[]): Record<string, kms.IKey> {
    const workflowId = this.compiled.plan.workflowId;
    const algorithms = new Map<string, Set<SigningAlgorithm>>();
    for (const spec of specs) {
      if (spec.kind !== 'operation') continue;
      for (const step of spec.steps) {
        for (const { key, algorithm } of signingKeyUses(step)) algorithms.set(key, (algorithms.get(key) ?? new Set()).add(algorithm));
      }
    }
    const keys: Record<string, kms.IKey> = {};
    for (const [name, given] of Object.entries(props.signingKeys ?? {})) {
      if (!(given instanceof ArazzoSigningKey)) {
        keys[name] = given;
        continue;
      }
      if (given.key) {
        keys[name] = given.key;
        continue;
      }
      const used = [...(algorithms.get(name) ?? [])];
      if (!used.length) this.fail(`signingKeys.${name}: no step of workflow ${workflowId} signs with key "${name}" (they use: ${[...algorithms.keys()].join(', ') || 'none'})`);
      const keySpec = given.options.keySpec ?? KEY_SPECS_BY_ALGORITHM[used[0]][0];
      for (const algorithm of used) {
        if (!KEY_SPECS_BY_ALGORITHM[algorithm].includes(keySpec))
          this.fail(`signingKeys.${name}: a ${keySpec} key cannot sign with ${algorithm}, which steps of workflow ${workflowId} use; it needs ${KEY_SPECS_BY_ALGORITHM[algorithm].join(' or ')}`);
      }
      const key = new kms.Key(this, `SigningKey.${name}`, {
        keySpec,
        keyUsage: kms.KeyUsage.SIGN_VERIFY,
        description: given.options.description ?? `arazzo-sfn: signs requests of workflow ${workflowId} (signing key ${name})`,
        ...(given.options.alias ? { alias: given.options.alias } : {}),
        // The provider has its public key registered: deleting the stack must not take it (and every signed call) away.
        removalPolicy: RemovalPolicy.RETAIN,
        // The account administers the key and reads its public key through IAM; signing is added for the signing functions only (restrictSigning).
        policy: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'KeyAdministration', principals: [new iam.AccountRootPrincipal()], actions: SIGNING_KEY_ADMIN_ACTIONS, resources: ['*'] }),
          ],
        }),
      });
      this.signers.set(name, { roles: [], algorithms: new Set(used) });
      keys[name] = key;
    }
    return keys;
  }

  /**
   * Lets only the roles of the functions that sign with a created key use it for `kms:Sign`, with
   * the algorithms their steps declare and RAW messages (what KmsSigningKeys sends): the key
   * policy's only statement that allows signing. Through the account principal with a condition
   * on the caller's ARN, so KMS need not resolve the new roles when it creates the key.
   */
  private restrictSigning(): void {
    for (const [name, { roles, algorithms }] of this.signers) {
      (this.signingKeys[name] as kms.Key).addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'SignForArazzoWorkflowFunctions',
          principals: [new iam.AccountRootPrincipal()],
          actions: ['kms:Sign'],
          resources: ['*'],
          conditions: {
            ArnEquals: { 'aws:PrincipalArn': roles.map((r) => r.roleArn) },
            StringEquals: { 'kms:SigningAlgorithm': [...new Set([...algorithms].map((a) => KMS_SIGNING_ALGORITHMS[a]))], 'kms:MessageType': 'RAW' },
          },
        }),
      );
    }
  }

  /** A prop that cannot work: CDK's ValidationError, which carries this construct's path (`constructPath`). */
  private fail(message: string): never {
    throw new ValidationError('ArazzoWorkflowInvalid' as ConstructorParameters<typeof ValidationError>[0], `${this.node.path}: ${message}`, this);
  }

  private checkExpress(): void {
    // A Parallel state's branches count too (a step's retry Wait may sit in one).
    const states: [string, Record<string, unknown>][] = [];
    const collect = (within: Record<string, Record<string, unknown>>) => {
      for (const [name, state] of Object.entries(within)) {
        states.push([name, state]);
        for (const branch of (state.Branches ?? []) as { States: Record<string, Record<string, unknown>> }[]) collect(branch.States);
      }
    };
    collect(this.compiled.definition.States);
    // A provider's Retry-After Wait is bounded (throttle.maxWaits × maxWaitSeconds) and taken only on a 429; the
    // execution's 5 minutes still bound it (past them a throttled execution times out). A loop's Wait is not bounded so.
    const waits = states.filter(([, s]) => s.Type === 'Wait' && !isThrottleWait(s)).map(([name]) => name);
    const callbacks = states.filter(([, s]) => typeof s.Resource === 'string' && /\.(sync(:\d+)?|waitForTaskToken)$/.test(s.Resource)).map(([name]) => name);
    const problems = [
      ...(waits.length ? [`Wait states (${waits.join(', ')}): a polling loop or retry may outlast the 5 minutes of an Express execution`] : []),
      ...(callbacks.length ? [`.sync/.waitForTaskToken integrations (${callbacks.join(', ')}), which Express workflows do not support`] : []),
    ];
    if (problems.length) this.fail(`workflow ${this.compiled.plan.workflowId} cannot run as an EXPRESS state machine: it has ${problems.join('; and ')}. Use STANDARD.`);
  }

  private createFunction(
    spec: FunctionSpec | WebhookSpec | BrokerSpec | StarterSpec,
    ctx: { props: ArazzoWorkflowProps; bindings: Record<string, ArazzoSecret>; webhookKeys: Record<string, ArazzoSecret>; sealContext: string; retention: logs.RetentionDays; tracing: boolean },
  ): nodejs.NodejsFunction {
    const { props, bindings } = ctx;
    const workflowId = this.compiled.plan.workflowId;
    const id = spec.kind === 'operation' ? `Operation.${spec.functionKey}` : spec.kind === 'webhook' ? 'Webhook' : spec.kind === 'broker' ? 'Broker' : spec.kind === 'starter' ? 'Starter' : 'WorkflowFunction';
    const logGroup = new logs.LogGroup(this, `${id}.Logs`, { retention: ctx.retention });
    // A role per function, written out: only its log group, its secrets, its use of the sealing key.
    const role = new iam.Role(this, `${id}.Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `arazzo-sfn ${workflowId}: ${spec.functionKey}`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));

    const environment: Record<string, string> = {};
    if (spec.kind === 'operation') {
      const secretIds: Record<string, string> = {};
      for (const input of spec.secretInputs) {
        const binding = bindings[input];
        secretIds[input] = binding.secret.secretFullArn ?? binding.secret.secretName;
        binding.secret.grantRead(role);
      }
      // A signing key that is not a KMS key is a PEM secret, read by the key's name: read access to exactly the ones its steps use.
      for (const name of pemSigningKeys(spec.steps, this.signingKeys)) {
        const secret = props.signingKeySecrets?.[name];
        if (!secret) continue;
        secretIds[name] = secret.secretFullArn ?? secret.secretName;
        secret.grantRead(role);
      }
      if (Object.keys(secretIds).length) environment[HandlerEnvironment.secretIds] = Stack.of(this).toJsonString(secretIds);
      const serverUrls = Object.fromEntries(spec.sources.filter((s) => props.serverUrls?.[s]).map((s) => [s, props.serverUrls![s]]));
      if (Object.keys(serverUrls).length) environment[HandlerEnvironment.serverUrls] = JSON.stringify(serverUrls);
      // kms:Sign on the KMS keys its signed steps name, and on nothing else.
      const signingKeys: Record<string, string> = {};
      for (const { key: name } of spec.steps.flatMap(signingKeyUses)) {
        const key = this.signingKeys[name];
        if (!key) continue;
        const signer = this.signers.get(name);
        if (signer && !signer.roles.includes(role)) signer.roles.push(role);
        if (signingKeys[name]) continue;
        signingKeys[name] = key.keyArn;
        role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Sign'], resources: [key.keyArn] }));
      }
      if (Object.keys(signingKeys).length) environment[HandlerEnvironment.signingKeys] = Stack.of(this).toJsonString(signingKeys);
      // Send steps on AWS-native brokers (Arazzo 1.1): publish to the queue, topic or bus the channel binding names, in this account and region, and nowhere else.
      const channelTargets: Record<string, string> = {};
      // MQTT topics by whether some send step on them retains its message.
      const mqttTopics = new Map<string, boolean>();
      for (const step of spec.steps) {
        const transport = step.channel?.action === 'send' ? step.channel.transport : undefined;
        if (!transport || transport.kind === 'http') continue;
        const stack = Stack.of(this);
        const target = brokerTargetName(transport);
        if (transport.kind === 'mqtt') {
          mqttTopics.set(transport.topic, (mqttTopics.get(transport.topic) ?? false) || transport.retain);
          channelTargets[target] = transport.topic;
          continue;
        }
        if (channelTargets[target]) continue;
        if (transport.kind === 'sqs') {
          channelTargets[target] = `https://sqs.${stack.region}.${stack.urlSuffix}/${stack.account}/${transport.queueName}`;
          role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [stack.formatArn({ service: 'sqs', resource: transport.queueName, arnFormat: ArnFormat.NO_RESOURCE_NAME })] }));
        } else if (transport.kind === 'sns') {
          channelTargets[target] = stack.formatArn({ service: 'sns', resource: transport.topicName, arnFormat: ArnFormat.NO_RESOURCE_NAME });
          role.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [channelTargets[target]] }));
        } else {
          channelTargets[target] = stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: transport.eventBusName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
          role.addToPolicy(
            new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [channelTargets[target]], conditions: { StringEquals: { 'events:source': transport.source, 'events:detail-type': transport.detailType } } }),
          );
        }
      }
      for (const [topic, retains] of mqttTopics) {
        // Publishing with the RETAIN flag needs iot:RetainPublish besides iot:Publish (AWS IoT's actions reference).
        const topicArn = Stack.of(this).formatArn({ service: 'iot', resource: 'topic', resourceName: topic, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
        role.addToPolicy(new iam.PolicyStatement({ actions: ['iot:Publish', ...(retains ? ['iot:RetainPublish'] : [])], resources: [topicArn] }));
      }
      if (mqttTopics.size) environment[HandlerEnvironment.iotDataEndpoint] = iotDataEndpointUrl(this);
      if (Object.keys(channelTargets).length) environment[HandlerEnvironment.channelTargets] = Stack.of(this).toJsonString(channelTargets);
      if (spec.steps.some((s) => s.callback || s.receive)) {
        // Registering is the only use: the item is written (a conditional UpdateItem, which keeps a receive step's seen
        // delivery ids across its turns) before the provider is called. A receive step also reads its earlier turn's record
        // (GetItem: what it already received), takes (DeleteItem) a message that arrived before it waited, and resumes its
        // own Task with it (UpdateItem marks the delivery seen and settles; grantTaskResponse).
        const receives = spec.steps.some((s) => s.receive);
        environment[HandlerEnvironment.callbackTable] = this.callbackTable!.tableName;
        // Only callback steps hand out the webhook's URL; a workflow whose receive steps all listen on brokers has no webhook.
        if (this.webhookUrl) environment[HandlerEnvironment.callbackBaseUrl] = this.webhookUrl.url;
        role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem', ...(receives ? ['dynamodb:GetItem', 'dynamodb:DeleteItem'] : [])], resources: [this.callbackTable!.tableArn] }));
      }
    }
    if (spec.kind === 'broker') {
      environment[HandlerEnvironment.callbackTable] = this.callbackTable!.tableName;
      // As the webhook for messages: read the wait, settle it (conditionally), keep a message no step waits for yet.
      role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'], resources: [this.callbackTable!.tableArn] }));
    }
    if (spec.kind === 'webhook') {
      environment[HandlerEnvironment.callbackTable] = this.callbackTable!.tableName;
      // GetItem reads a callback, UpdateItem records a pending status and settles (conditionally); it never writes a new one,
      // except a message no receive step waits for yet, kept (PutItem) for the step to take.
      const keeps = spec.steps.some((s) => s.receive);
      role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', ...(keeps ? ['dynamodb:PutItem'] : [])], resources: [this.callbackTable!.tableArn] }));
      // The verification keys of its steps, read by name (`verify.secret`), and nothing else.
      const keyIds: Record<string, string> = {};
      for (const [name, key] of Object.entries(ctx.webhookKeys)) {
        keyIds[name] = key.secret.secretFullArn ?? key.secret.secretName;
        key.secret.grantRead(role);
      }
      if (Object.keys(keyIds).length) environment[HandlerEnvironment.secretIds] = Stack.of(this).toJsonString(keyIds);
    }
    const kmsActions = [...(spec.seals ? ['kms:GenerateDataKey'] : []), ...(spec.unseals ? ['kms:Decrypt'] : [])];
    if (kmsActions.length) {
      environment[HandlerEnvironment.sealKeyId] = this.sealingKey.keyArn;
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: kmsActions,
          resources: [this.sealingKey.keyArn],
          conditions: { StringEquals: { [`kms:EncryptionContext:${SEAL_CONTEXT_KEY}`]: ctx.sealContext } },
        }),
      );
    }

    if (spec.kind === 'starter') {
      // It starts executions through the alias, and does nothing else with the state machine.
      environment[HandlerEnvironment.stateMachineArn] = this.alias.attrArn;
      role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.alias.attrArn] }));
      environment[HandlerEnvironment.triggerMapping] = Stack.of(this).toJsonString(this.triggerMapping(props.trigger));
    }
    const [defineName, plans] =
      spec.kind === 'operation'
        ? [PlanDefines.stepPlans, spec.steps]
        : spec.kind === 'webhook' || spec.kind === 'broker'
          ? [PlanDefines.callbackPlans, spec.steps]
          : [PlanDefines.workflowPlan, this.compiled.plan];
    const planJson = JSON.stringify(plans);
    if (Buffer.byteLength(planJson) > MAX_PLAN_DEFINE_BYTES) {
      this.fail(`the plans of ${spec.functionKey} take ${Buffer.byteLength(planJson)} bytes, more than the ${MAX_PLAN_DEFINE_BYTES} a bundle define can carry`);
    }
    // The entry ships inside this package and resolves from it, never from the app's tree. The "lock file" only names the
    // package manager for `nodeModules`, which is not used (esbuild bundles every dependency): package.json is always there.
    const root = packageRoot();
    return new nodejs.NodejsFunction(this, id, {
      entry: handlerEntry(spec.kind),
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: join(root, 'package.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      // The Task's own timeout is the call's plus 30 s: the function gives up first, with its own error.
      timeout: Duration.seconds(spec.kind === 'operation' ? spec.callSeconds + 10 : 25),
      description: `arazzo-sfn ${workflowId}: ${describeFunction(spec)}`.slice(0, 256),
      role,
      logGroup,
      tracing: ctx.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment,
      // Versions stay when a deploy publishes new ones: executions on an older state machine version still call them.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
      bundling: {
        minify: true,
        sourceMap: false,
        target: 'node22',
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        forceDockerBundling: false,
        logLevel: nodejs.LogLevel.WARNING,
        // The Lambda runtime provides the AWS SDK v3; the XML libraries load only for an XPath (criterion, selector, replacement target), the RE2 engine only for a regex criterion.
        externalModules: ['@aws-sdk/*', ...XML_LIBRARIES.filter((name) => !spec.xmlLibraries.includes(name)), ...(spec.usesRegex ? [] : ['re2js'])],
        define: { [defineName]: JSON.stringify(planJson) },
      },
    });
  }

  /**
   * Lets the webhook receiver resume this state machine's Tasks, and no other's. The Service
   * Authorization Reference lists no resource type for SendTaskSuccess/Failure/Heartbeat, which
   * would mean `*`; Step Functions in fact authorizes them against the state machine that issued
   * the token (its AccessDenied names `...:stateMachine:<name>`, and CDK's `grantTaskResponse`
   * scopes them so), so the statement names this state machine's ARN. It is a policy of its own,
   * not the role's default one: the function depends on its default policy, the state machine on
   * the function (its URL reaches the operation functions' environment), and the ARN would close
   * that loop.
   */
  private grantTaskResponse(webhook: nodejs.NodejsFunction, id: string): void {
    const policy = new iam.Policy(this, id, {
      statements: [
        new iam.PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
          // Its versions and aliases too: executions start on the alias, and one in flight may be on an older version.
          resources: [this.stateMachine.stateMachineArn, `${this.stateMachine.stateMachineArn}:*`],
        }),
      ],
    });
    webhook.role!.attachInlinePolicy(policy);
  }

  private grantNestedExecution(child: sfn.IStateMachine | ArazzoWorkflow): void {
    const stack = Stack.of(this);
    const childName = stack.splitArn(child.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName!;
    // Executions started on an alias are named under the state machine (execution:<name>:<id>), as the others.
    const executions = stack.formatArn({ service: 'states', resource: 'execution', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: `${childName}:*` });
    if (child instanceof ArazzoWorkflow) child.grantStartExecution(this.stateMachine);
    else this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [child.stateMachineArn] }));
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [executions],
      }),
    );
    (this.nestedExecutionArns as string[]).push(executions);
    // `.sync` integrations learn of the child's end through this managed rule.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule' })],
      }),
    );
  }

  /** How the trigger maps an event to inputs: its `detail`, or the paths of `trigger.input` beside its constants and the secrets' references. */
  private triggerMapping(trigger: ArazzoEventTrigger | undefined): TriggerMapping {
    if (!trigger?.input) return { kind: 'detail' };
    const paths: Record<string, string> = {};
    const constants: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(trigger.input)) {
      const resolvable = typeof value === 'string' ? Tokenization.reverseString(value).firstToken : undefined;
      if (resolvable instanceof events.EventField && Tokenization.reverseString(value as string).length === 1) {
        if (!parseEventPath(resolvable.path)) this.fail(`trigger.input.${name}: ${resolvable.path} is not a path the input check reads (dotted names and [index]es from $)`);
        paths[name] = resolvable.path;
      } else constants[name] = value;
    }
    return { kind: 'paths', paths, constants: { ...this.secretReferences, ...constants } };
  }

  private eventInput(trigger: ArazzoEventTrigger): events.RuleTargetInput {
    const mapping = this.triggerMapping(trigger);
    if (mapping.kind === 'detail') return events.RuleTargetInput.fromEventPath('$.detail');
    const template = JSON.stringify({ ...mapping.constants, [EVENT_INPUT_KEY]: { paths: mapping.paths, event: EVENT_MARKER } });
    return new EventPickedInput(template.replace(`"${EVENT_MARKER}"`, '<aws.events.event.json>'));
  }

  private createRule(trigger: ArazzoEventTrigger): { rule: events.Rule; deadLetterQueue: sqs.IQueue } {
    const rule = new events.Rule(this, 'Trigger', {
      eventPattern: trigger.eventPattern,
      ...(trigger.eventBus ? { eventBus: trigger.eventBus } : {}),
      ...(trigger.description ? { description: trigger.description } : {}),
    });
    // SQS-managed encryption: EventBridge may send to it without a key policy (the AWS managed key aws/sqs admits no service principal).
    const deadLetterQueue =
      trigger.deadLetterQueue ??
      new sqs.Queue(this, 'TriggerDeadLetters', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    if (this.starter) {
      // Personal inputs: the event goes to the starter, never into an execution input (and so never into the history).
      // EventBridge's dead letters are events it could not deliver; the starter's own failures, after Lambda's retries, land in the same queue.
      rule.addTarget(new targets.LambdaFunction(this.starter, { retryAttempts: trigger.retryAttempts ?? 2, maxEventAge: trigger.maxEventAge ?? Duration.hours(24), deadLetterQueue }));
      this.starter.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(deadLetterQueue) });
      return { rule, deadLetterQueue };
    }
    const input = this.eventInput(trigger);
    rule.addTarget(
      new targets.SfnStateMachine(this.aliasAsStateMachine(), { input, retryAttempts: trigger.retryAttempts ?? 2, maxEventAge: trigger.maxEventAge ?? Duration.hours(24), deadLetterQueue }),
    );
    return { rule, deadLetterQueue };
  }
}

/**
 * The execution input a trigger sends: the bound secrets' references and constant inputs as they
 * are, and for the inputs read from the event, their paths beside the whole event
 * (`<aws.events.event.json>`), from which the input check picks what the event has. A JSON
 * template cannot leave a key out, so mapping each path in the template would write every
 * optional input whether the event has it or not, and its schema default would never apply.
 */
class EventPickedInput extends events.RuleTargetInput {
  constructor(private readonly template: string) {
    super();
  }

  bind(): events.RuleTargetInputProperties {
    return { inputTemplate: this.template };
  }
}

const EVENT_MARKER = '__arazzo_sfn_event__';

function describeFunction(spec: FunctionSpec | WebhookSpec | BrokerSpec | StarterSpec): string {
  if (spec.kind === 'operation') return `operation ${spec.functionKey}`;
  if (spec.kind === 'starter') return 'starter (seals personal inputs, starts executions through the alias)';
  if (spec.kind === 'webhook') return `webhook receiver of callback steps ${spec.steps.map((s) => s.stepId).join(', ')}`;
  if (spec.kind === 'broker') return `broker receiver of receive steps ${spec.steps.map((s) => s.stepId).join(', ')}`;
  return 'workflow function (inputs, workflow steps)';
}

/** The keys a step signs with: its signing declaration's, and those of its private_key_jwt client assertions. */
function signingKeyUses(step: StepPlan): { key: string; algorithm: SigningAlgorithm }[] {
  return [...(step.signing ? [{ key: step.signing.key, algorithm: step.signing.algorithm }] : []), ...clientAssertionKeys(step)];
}

/** The signing keys of `steps` that are not KMS keys: PEM secrets the function reads. */
function pemSigningKeys(steps: readonly StepPlan[], kmsKeys: Readonly<Record<string, kms.IKey>>): string[] {
  return [...new Set(steps.flatMap(signingKeyUses).map((u) => u.key))].filter((name) => !kmsKeys[name]).sort();
}

/** A signing key name as part of an output's logical id (letters and digits, each word capitalised). */
function outputName(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

function normaliseSecrets(secrets: Readonly<Record<string, secretsmanager.ISecret | ArazzoSecret>>): Record<string, ArazzoSecret> {
  return Object.fromEntries(Object.entries(secrets).map(([name, s]) => [name, 'secretArn' in s ? { secret: s } : s]));
}
