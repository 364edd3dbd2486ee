/**
 * The compiled plan: the one typed, serialisable form of an Arazzo workflow that both the
 * ASL emitter (compiler/emit) and the operation handler (functions/runtime) read.
 *
 * Types only: the Lambda bundle imports this file and must stay free of compiler code.
 */

import type { CheckFinding, CheckSeverities } from './response-checks.js';
import type { RetryAfterWait } from './errors.js';

export const PLAN_VERSION = 1 as const;

/** `querystring` (OpenAPI 3.2, Arazzo 1.1): one value that is the whole query string. */
export type ParameterLocation = 'path' | 'query' | 'querystring' | 'header' | 'cookie';

/** A JSON value as it appears in the Arazzo document (literals, runtime expressions, templates). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A parameter the OpenAPI operation declares (after `$ref` resolution). */
export interface DeclaredParameter {
  readonly name: string;
  readonly in: ParameterLocation;
  readonly required: boolean;
}

/** Where and how a step's HTTP call is sent. */
export interface OperationBinding {
  /** Name of the Arazzo `sourceDescriptions` entry the operation comes from. */
  readonly source: string;
  readonly operationId?: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** First `servers[].url` of the OpenAPI description; a run may override it per source. */
  readonly serverUrl: string;
  /** Path template, e.g. `/v1/customers/{customer_id}`. */
  readonly path: string;
  readonly parameters: readonly DeclaredParameter[];
  /**
   * The media types the operation declares per response: absent when no response declares a
   * `content`, so no answer is checked.
   */
  readonly responseMediaTypes?: ResponseMediaTypes;
  /**
   * The JSON Schemas the operation declares for JSON answers, for the SCHEMA_CHECK: absent when
   * it declares none or the check is off.
   */
  readonly responseSchemas?: ResponseSchemas;
  /** Stable key of the operation: one Lambda function per key. */
  readonly key: string;
}

/**
 * OpenAPI response key (`200`, `4XX`, `default`) → the bare, lower-case media types its `content`
 * declares (`application/json`, or a range: `text/*`, or the match-all). An empty list is a
 * response declared without content: a status that matches it is not checked.
 */
export type ResponseMediaTypes = Readonly<Record<string, readonly string[]>>;

/**
 * Response key (`200`, `4XX`, `default`) → JSON media type → its schema, made self-contained at
 * compile time (OpenAPI 3.0's `nullable` folded into `type`; a `$ref` that could not be inlined,
 * a recursive one, accepts anything). `dialect` is how the schemas read: JSON Schema draft 4 for
 * OpenAPI 3.0, 2020-12 for 3.1.
 */
export interface ResponseSchemas {
  readonly dialect: '4' | '2020-12';
  readonly byResponse: Readonly<Record<string, Readonly<Record<string, JsonValue>>>>;
}

export interface ParameterPlan {
  readonly name: string;
  readonly in: ParameterLocation;
  /** A `querystring` parameter's media type (the operation's `content`): how the string is put in the URL. @default 'application/x-www-form-urlencoded' */
  readonly contentType?: string;
  /** Literal, runtime expression, or string template (null when `selector` gives the value). */
  readonly value: JsonValue;
  /** A Selector Object value (Arazzo 1.1): evaluated instead of `value`. */
  readonly selector?: SelectorPlan;
}

export interface RequestBodyPlan {
  readonly contentType: string;
  /** Literals, runtime expressions and templates; each Selector Object of the document's payload is null here and listed in `selections`. */
  readonly payload: JsonValue;
  /** Where the payload's Selector Objects stood (JSON pointers into it): each is evaluated and written there, before the replacements. */
  readonly selections?: readonly { readonly pointer: string; readonly selector: SelectorPlan }[];
  readonly replacements: readonly ReplacementPlan[];
}

/** A Payload Replacement Object: where in the payload `value` goes. */
export interface ReplacementPlan {
  readonly target: string;
  /**
   * How `target` reads (`targetSelectorType`). Absent: a JSON pointer, or an XPath for an XML
   * payload (Arazzo 1.1 § Payload Replacement Object).
   */
  readonly targetType?: ExpressionTypePlan;
  /** Null when `selector` gives the value. */
  readonly value: JsonValue;
  /** A Selector Object value (Arazzo 1.1): evaluated instead of `value`. */
  readonly selector?: SelectorPlan;
}

export type CriterionType = 'simple' | 'regex' | 'jsonpath' | 'xpath';

export interface CriterionPlan {
  readonly type: CriterionType;
  readonly condition: string;
  /** Runtime expression naming the value the condition applies to (required for regex/jsonpath/xpath). */
  readonly context?: string;
  /**
   * The version of a jsonpath or xpath condition (an Expression Type Object's `version`). Absent:
   * the default of its type, `rfc9535` or `xpath-31` (Arazzo 1.1 § Expression Type Object).
   */
  readonly version?: ExpressionVersion;
  /**
   * Set on the regex and xpath criteria of an Arazzo 1.1 document: a bound this implementation
   * hits while evaluating the condition (the regex time budget, the XML size or nesting depth an
   * XPath reads) is a runtime evaluation error, so the condition "MUST evaluate to fail" (1.1 §
   * Criterion Object, "Evaluation Errors") and the step's history gets a note naming the bound.
   * Absent (1.0.x documents, whose text has no such rule): the step fails with `Arazzo.Expression`.
   */
  readonly unmetPastBounds?: true;
}

/** The selector kinds of Arazzo 1.1's Selector and Expression Type Objects. */
export type SelectorKind = 'jsonpath' | 'xpath' | 'jsonpointer';

/** The versions Arazzo 1.1 § Expression Type Object allows, per kind. */
export const EXPRESSION_VERSIONS = {
  jsonpath: ['rfc9535', 'draft-goessner-dispatch-jsonpath-00'],
  xpath: ['xpath-31', 'xpath-30', 'xpath-20', 'xpath-10'],
  jsonpointer: ['rfc6901'],
} as const satisfies Record<SelectorKind, readonly string[]>;

export type ExpressionVersion = (typeof EXPRESSION_VERSIONS)[SelectorKind][number];

/** The version used when a document names only the kind. */
export const DEFAULT_EXPRESSION_VERSION = { jsonpath: 'rfc9535', xpath: 'xpath-31', jsonpointer: 'rfc6901' } as const satisfies Record<SelectorKind, ExpressionVersion>;

/** An Expression Type Object with its version always filled in. */
export interface ExpressionTypePlan {
  readonly type: SelectorKind;
  readonly version: ExpressionVersion;
}

/**
 * A Selector Object (Arazzo 1.1) as planned: its type always an Expression Type Object (defaults
 * filled in, extensions dropped), evaluated at run time by core/selectors. The plan keeps selectors
 * apart from literal values (a parameter's `selector`, a payload's `selections`, ...): in a 1.0.x
 * document, and anywhere in a payload, an object shaped like one is data.
 */
export interface SelectorPlan {
  /** Runtime expression of the structured data the selector applies to. */
  readonly context: string;
  readonly selector: string;
  readonly type: ExpressionTypePlan;
}

/** A step or workflow output: a runtime expression (or template), or a Selector Object. */
export type OutputPlan = string | SelectorPlan;

/** Bounds and pacing of a loop (a `retry` action or a `goto` back to the same or an earlier step). */
export interface LoopPolicy {
  /** Delay before the first repeat, in seconds. */
  readonly intervalSeconds: number;
  /** Multiplier applied to the delay on each further repeat. */
  readonly backoffRate: number;
  /** Upper bound of one delay, in seconds. */
  readonly maxDelaySeconds: number;
  /** Maximum number of times the deciding step may run; past it the execution fails with Arazzo.RetryLimitExceeded. */
  readonly maxAttempts: number;
}

export type ActionKind = 'onSuccess' | 'onFailure';

export interface ActionPlan {
  /** Stable outcome name the handler returns and the Choice state routes on, e.g. `onSuccess.verified`. */
  readonly outcome: string;
  readonly kind: ActionKind;
  readonly name?: string;
  readonly type: 'end' | 'goto' | 'retry';
  /** Target step of a `goto` (a `retry` targets its own step). */
  readonly stepId?: string;
  /** Target workflow of a `goto` that hands over to another workflow (the current one ends with it). */
  readonly workflow?: { readonly workflowId: string; readonly source?: string };
  readonly criteria: readonly CriterionPlan[];
  /** Present when the action repeats a step: `retry`, or a `goto` to the same or an earlier step. */
  readonly loop?: LoopPolicy;
  /**
   * A `retry` with a `stepId` or `workflowId`: that step (an operation step of the same
   * workflow) or workflow runs first, then the step is retried (as Redocly Respect does).
   */
  readonly runFirst?: { readonly stepId: string } | { readonly workflow: { readonly workflowId: string; readonly source?: string } };
  /**
   * The action's `parameters` (Arazzo 1.1): the inputs of the workflow it runs (a `goto` or
   * the `retry`'s run-first), name → literal or runtime expression. The handler evaluates them
   * when the action is taken and returns them as `childInput`; absent, the workflow runs with
   * the current inputs.
   */
  readonly inputs?: Readonly<Record<string, JsonValue>>;
  /** Inputs whose parameter value is a Selector Object (their `inputs` entry is null). */
  readonly inputSelectors?: Readonly<Record<string, SelectorPlan>>;
}

/** An inclusive range of HTTP statuses, `[from, to]`. */
export type StatusRange = readonly [number, number];

export interface TransportPolicy {
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Whether a connection error, timeout, 5xx or 429 may be retried (idempotent method, or a POST with an idempotency key). */
  readonly retrySafe: boolean;
  /**
   * The 5xx and 429 statuses the step handles itself (its successCriteria name them, or an
   * onFailure action could match them), decided at compile time: they go to the criteria and
   * actions, never to the provider-fault retry. Absent when it handles none.
   */
  readonly handledStatuses?: readonly StatusRange[];
  /**
   * A retry-safe step's 429 with a `Retry-After` it does not handle itself: the handler throws
   * `Arazzo.RetryAfter`, and the Task's first Catch routes it through `<state>.throttled`, a Wait
   * of the header's delay, back to the Task (nothing on the path without a 429). A delay past
   * `maxWaitSeconds`, or more than `maxWaits` consecutive throttled answers, fails the step with
   * `Arazzo.Throttled`. Absent when the call is not retry-safe (it is never repeated), the step is
   * a callback step, or the compile option `throttle` is `false`.
   */
  readonly throttle?: ThrottlePolicy;
}

/** Bounds of the wait on a provider's `Retry-After` (compile option `throttle`). */
export interface ThrottlePolicy {
  /** The longest wait, in seconds: a longer `Retry-After` fails the step with `Arazzo.Throttled` instead of parking the execution. */
  readonly maxWaitSeconds: number;
  /** How many consecutive throttled answers the step waits out before it fails with `Arazzo.Throttled`. */
  readonly maxWaits: number;
}

/** Fields every step has, whether it calls an operation or runs another workflow. */
interface StepPlanBase {
  readonly workflowId: string;
  readonly stepId: string;
  readonly description?: string;
  readonly successCriteria: readonly CriterionPlan[];
  readonly onSuccess: readonly ActionPlan[];
  readonly onFailure: readonly ActionPlan[];
  /** Declared step outputs: name → runtime expression or Selector Object. */
  readonly outputs: Readonly<Record<string, OutputPlan>>;
  /** Output names that carry credentials or personal data: sealed before they leave the handler. */
  readonly sealedOutputs: readonly string[];
  /** Whether the default success route (no onSuccess action matched) ends the workflow. */
  readonly endsOnDefaultSuccess: boolean;
  /** Workflow outputs (name → expression), evaluated by the handler when this step ends the workflow. */
  readonly workflowOutputs: Readonly<Record<string, OutputPlan>>;
  /**
   * What `$sourceDescriptions.*` and `$components.*` read: constant for a document, so the plan
   * carries them, and only for a step that references them.
   */
  readonly documentContext?: {
    readonly sourceDescriptions?: Readonly<Record<string, JsonValue>>;
    readonly components?: Readonly<Record<string, Readonly<Record<string, JsonValue>>>>;
  };
  /**
   * Arazzo 1.1 step `timeout`, in milliseconds: how long one run of the step may wait for its call
   * (the operation's answer, the nested execution, the callback) before the step fails with
   * `Arazzo.StepTimeout` and its onFailure actions apply. Rendered as the Task's `TimeoutSeconds`;
   * the operation handler bounds its HTTP exchange by it to the millisecond.
   */
  readonly timeoutMs?: number;
  /** Additional authenticated data of sealed values: shared by the workflows of one deployment, so a parent can hand a sealed token to a child. */
  readonly sealContext: string;
}

/**
 * A step whose result arrives later, by webhook (`x-arazzo-sfn-callback`): the Task waits for a
 * task token (`.waitForTaskToken`). The handler sends the request with a per-execution callback
 * URL; the webhook receiver resumes the execution when a settled status arrives. The step's
 * criteria, actions and outputs then read that callback as `$response`.
 */
export interface CallbackPolicy {
  /** JSON pointer into the request body where the callback URL is written. */
  readonly urlTarget: string;
  /** JSON pointer into the callback body to the status. */
  readonly statusPointer: string;
  /** Statuses that keep the step waiting (a heartbeat); any other status settles it. */
  readonly pending: readonly string[];
  /** Longest silence between callbacks before the Task fails with States.HeartbeatTimeout. */
  readonly heartbeatSeconds: number;
  /** Longest wait for a settled status before the Task fails with States.Timeout. */
  readonly timeoutSeconds: number;
  /** Step that takes over when the callback is late or lost (e.g. a status poll); absent: the step fails. */
  readonly onTimeout?: string;
  /** How the receiver proves a callback came from the provider; absent: the callback id alone (the URL's secret) admits it. */
  readonly verify?: CallbackVerification;
}

/**
 * A provider's webhook signature (`x-arazzo-sfn-callback.verify` on a callback step,
 * `x-arazzo-sfn-verify` on an AsyncAPI receive step), checked before a callback or message
 * changes anything. The key is a secret reference name: Secrets Manager on AWS, the local
 * secrets provider locally.
 * - `hmac-sha256`: header `<header>: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
 *   keyed with the secret (the common `t=…,v1=…` form; used for connectFi, see docs).
 * - `fintecture`: Fintecture's webhooks (form-encoded body): `Digest: SHA-256=<base64>` of the
 *   raw body and `Signature: keyId="<app id>",algorithm="rsa-sha256",headers="date digest
 *   x-request-id",signature="<base64>"`, the signing string RSA-OAEP encrypted to the
 *   application's public key; the secret is the application's private key (PEM).
 */
export interface CallbackVerification {
  readonly scheme: 'hmac-sha256' | 'fintecture';
  /** Secret reference name of the key: the HMAC key, or the application's RSA private key (PEM). */
  readonly secret: string;
  /** `hmac-sha256`: the header carrying `t=…,v1=…`. */
  readonly header?: string;
  /** `fintecture`: the application id the `Signature`'s keyId must name. */
  readonly keyId?: string;
  /** A callback signed longer ago (or further ahead) than this is a replay. */
  readonly toleranceSeconds: number;
}

/**
 * The security scheme of one `x-security` entry (Redocly Respect's extension), resolved at
 * compile time from the entry's inline `scheme` or from `components.securitySchemes` of the
 * step's source (`schemeName`), reduced to what the runtime needs. URLs may be relative: they
 * resolve against the step's server URL at run time.
 */
export type AuthScheme =
  | { readonly type: 'apiKey'; readonly in: 'header' | 'query' | 'cookie'; readonly name: string }
  | { readonly type: 'http'; readonly scheme: 'basic' | 'bearer' }
  | { readonly type: 'oauth2'; readonly flow: 'clientCredentials' | 'password'; readonly tokenUrl: string }
  | { readonly type: 'openIdConnect'; readonly openIdConnectUrl: string }
  /** OpenAPI 3.1 `mutualTLS`: the client certificate and key (values `clientCert`, `clientKey`, optional `caCert`) go on the TLS connection, not in a header. */
  | { readonly type: 'mutualTLS' };

/**
 * One `x-security` entry of a step, the workflow's first (merged into every operation step),
 * then the step's own: applied in this order, a later one replacing an earlier header, query or
 * cookie of the same name. `values` keep Respect's names (`apiKey`, `username`, `password`,
 * `token`, `accessToken`, plus `clientId`, `clientSecret`, `scope`, `clientAuthMethod` for the
 * token request, `clientAssertionKey`, `clientAssertionAlgorithm`, `clientAssertionKeyId` for a
 * `private_key_jwt` client assertion, and Respect's `clientCert`, `clientKey`, `caCert` for
 * `mutualTLS`); each is a literal or a runtime expression, and every value that carries a
 * credential is an expression (a `secret:` input or a sealed output), never a literal.
 */
export interface AuthPlan {
  /** The entry's `schemeName` (for messages), absent for an inline `scheme`. */
  readonly schemeName?: string;
  readonly scheme: AuthScheme;
  readonly values: Readonly<Record<string, string>>;
}

/** The HTTP message signature schemes a signing declaration (`x-arazzo-sfn-signing`) may name. */
export type SigningScheme = 'draft-cavage' | 'rfc9421';

/**
 * Signature algorithms: draft-cavage's `rsa-sha256` and `hs2019` (read from the key: RSASSA-PSS
 * SHA-512 for an RSA key, as RFC 9421's `rsa-pss-sha512`), and RFC 9421's registered names.
 * `rsa-pss-sha256` signs JWS `PS256` client assertions only (no signing declaration names it).
 */
export type SigningAlgorithm = 'rsa-sha256' | 'hs2019' | 'rsa-pss-sha512' | 'rsa-v1_5-sha256' | 'ecdsa-p256-sha256' | 'ed25519' | 'rsa-pss-sha256';

/**
 * How the operation handler signs a step's request (`x-arazzo-sfn-signing` on an OpenAPI
 * security scheme the operation requires, or given by configuration), at send time after auth
 * and body encoding: a fresh `Date`, digest and signature on every attempt.
 */
export interface SigningPlan {
  readonly scheme: SigningScheme;
  readonly algorithm: SigningAlgorithm;
  /**
   * Covered components, in order, lower-case: header names, and draft-cavage's `(request-target)`,
   * `(created)`, `(expires)` or RFC 9421's derived components (`@method`, `@authority`, `@path`,
   * `@query`, `@target-uri`, `@scheme`, `@request-target`).
   */
  readonly components: readonly string[];
  /** The body digest header it adds (and covers when listed): `digest` (`SHA-256=`) or `content-digest` (RFC 9530, `sha-256`). */
  readonly digest?: 'digest' | 'content-digest';
  /** Name of the signing key in the runtime's key configuration (a KMS key on AWS, a PEM locally). Never key material. */
  readonly key: string;
  /** The `keyId`/`keyid` parameter sent to the provider (the id it registered the public key under). */
  readonly keyId: string;
  /** Lifetime of a signature, sent as `expires` (created + this). */
  readonly expiresInSeconds?: number;
  /** RFC 9421 signature label. @default 'sig1' */
  readonly label?: string;
  /** The security scheme that declared it (for messages). */
  readonly schemeName?: string;
}

/**
 * How a message reaches or leaves an AsyncAPI channel, read from the channel's (or operation's)
 * bindings: HTTP delivery to the channel's URL (server + address), or an AWS-native broker.
 * Names only, never ARNs: the construct resolves them in the deployment's account and region.
 */
/**
 * A FIFO queue or topic (its binding says `fifoQueue: true` / `ordering.type: FIFO`, or its name
 * ends in `.fifo`): every message needs a group id, and carries a deduplication id.
 */
export interface FifoOrdering {
  /**
   * Where a message carries the id of its group (the channel message's correlation id location,
   * `$message.payload#/orderId`): messages of one conversation stay in order. Absent, or absent
   * from a message: the whole channel is one group.
   */
  readonly groupBy?: string;
}

export type ChannelTransport =
  | { readonly kind: 'http'; readonly url: string; readonly method: string }
  | { readonly kind: 'sqs'; readonly queueName: string; readonly fifo?: FifoOrdering }
  | { readonly kind: 'sns'; readonly topicName: string; readonly fifo?: FifoOrdering }
  | { readonly kind: 'eventbridge'; readonly eventBusName: string; readonly source: string; readonly detailType: string }
  | MqttTransport;

/**
 * An MQTT channel, carried by AWS IoT Core on AWS (a send publishes through its data plane, a
 * receive is an IoT topic rule that invokes the broker receiver) and by the embedded broker locally.
 */
export interface MqttTransport {
  readonly kind: 'mqtt';
  /** The channel's address: one concrete topic (no `+`/`#` wildcards, no `{parameters}`). */
  readonly topic: string;
  /** The QoS a send publishes with: what AWS IoT Core offers (0 or 1; a binding's QoS 2 is taken as 1). */
  readonly qos: 0 | 1;
  /** Whether a send asks the broker to retain the message (the operation binding's `retain`). */
  readonly retain: boolean;
  /**
   * The header names a message carries as MQTT 5 user properties, in their spelling (MQTT 5 keys
   * are case-sensitive): the AsyncAPI message's header schema properties, the correlation
   * location's header, and the headers this step sends (its header parameters) or reads
   * (`$message.header.<name>`), in that order: the description's own names first, which a send
   * step's header goes as (mqttUserPropertyName). A topic's rule carries over the union of its receive steps'
   * headers and no others.
   */
  readonly headers: readonly string[];
}

/**
 * The AsyncAPI operation an Arazzo 1.1 `send` or `receive` step is bound to (`operationId` or
 * `channelPath`).
 */
export interface ChannelBinding {
  readonly action: 'send' | 'receive';
  /** Name of the `asyncapi` source description. */
  readonly source: string;
  /** Key of the channel in the description's `channels`. */
  readonly channel: string;
  /** The channel's `address` (its key when it has none). */
  readonly address: string;
  readonly transport: ChannelTransport;
}

/**
 * A `receive` step: the Task waits for a task token (`.waitForTaskToken`), registered under its
 * channel and correlation id in the callback store; the receiver resumes it when a message whose
 * correlation id (read at the AsyncAPI message's `correlationId.location`) matches arrives. The
 * step's criteria, actions and outputs read the message as `$message.header.*` / `$message.payload`.
 */
export interface ReceivePolicy {
  /** The step's `correlationId`: a runtime expression or literal, evaluated when the step starts. Absent: the first message on the channel. */
  readonly correlationId?: string;
  /** Where a message carries its correlation id (`$message.header#/id`, `$message.payload#/data/id`), from the AsyncAPI message. */
  readonly correlationLocation?: string;
  /** The step's `timeout`, rounded up to whole seconds: past it the step fails with Arazzo.MessageTimeout. */
  readonly timeoutSeconds: number;
  /**
   * How the receiver proves a message came from the provider (`x-arazzo-sfn-verify`, the same
   * declaration as a callback step's `verify`): checked before the message is kept or resumes
   * anything. Absent: any well-formed message on the channel is taken.
   */
  readonly verify?: CallbackVerification;
}

/** A step that calls an OpenAPI operation: one Lambda function per operation. */
export interface StepPlan extends StepPlanBase {
  readonly kind?: 'operation';
  readonly callback?: CallbackPolicy;
  /** An Arazzo 1.1 AsyncAPI step (`action: send | receive`); `operation` then names the channel (method SEND or RECEIVE, path its address). */
  readonly channel?: ChannelBinding;
  /** A `receive` step's correlation and timeout. */
  readonly receive?: ReceivePolicy;
  readonly operation: OperationBinding;
  readonly parameters: readonly ParameterPlan[];
  readonly requestBody?: RequestBodyPlan;
  /** `x-security` entries (workflow-level first, then the step's own), applied by the handler where the request is built. */
  readonly auth?: readonly AuthPlan[];
  /** Signs the request at send time, after auth and body encoding (issue 18). */
  readonly signing?: SigningPlan;
  /** Workflow inputs that are credentials: the execution carries `secret:<name>` references for them. */
  readonly credentialInputs: readonly string[];
  readonly transport: TransportPolicy;
  /** Severities of the response checks besides the criteria. @default DEFAULT_CHECK_SEVERITIES (both `warn`) */
  readonly checks?: CheckSeverities;
}

/**
 * A step that runs another workflow (`workflowId`): a nested execution
 * (`states:startExecution.sync:2`), then the workflow function decides the outcome from its
 * result as an operation handler does from a response (`$outputs.*` are the child's outputs).
 */
export interface WorkflowStepPlan extends StepPlanBase {
  readonly kind: 'workflow';
  /** The workflow it runs; `source` names the arazzo source description when it lives in another document. */
  readonly target: { readonly workflowId: string; readonly source?: string };
  /** Inputs of the child execution: name → literal or runtime expression (mapped to JSONPath in the ASL). */
  readonly inputs: Readonly<Record<string, JsonValue>>;
  /** Inputs given by a Selector Object (Arazzo 1.1): name → selector, evaluated instead of `inputs[name]`. */
  readonly inputSelectors?: Readonly<Record<string, SelectorPlan>>;
}

export type AnyStepPlan = StepPlan | WorkflowStepPlan;

export const isWorkflowStep = (step: AnyStepPlan): step is WorkflowStepPlan => step.kind === 'workflow';

/**
 * One item of a workflow's schedule: a step, or blocks of steps that run at the same time (a
 * Parallel state whose branches each run their items in order).
 */
export type ScheduleItem = { readonly step: string } | { readonly parallel: readonly (readonly ScheduleItem[])[] };

export interface WorkflowPlan {
  readonly planVersion: typeof PLAN_VERSION;
  readonly workflowId: string;
  readonly summary?: string;
  /** Arazzo file the workflow was compiled from, relative to the working directory at compile time. */
  readonly sourceFile: string;
  /** JSON Schema of the workflow inputs. */
  readonly inputsSchema: { readonly [key: string]: JsonValue };
  /** The document's source descriptions: a run maps each name to a server (`--server name=url`, sandbox). */
  readonly sources: readonly { readonly name: string; readonly url: string; readonly serverUrl?: string; readonly type?: 'asyncapi' }[];
  readonly credentialInputs: readonly string[];
  /**
   * Workflow inputs that are personal data (paths as credential inputs are named: `email`,
   * `address.city`): every starter seals them before the execution starts, the input check
   * refuses them unsealed, and only the handler of a step that reads one opens it. Absent: none.
   */
  readonly personalInputs?: readonly string[];
  /** Workflows that run (to success) before the first step; their inputs and outputs are `$workflows.<id>.*`. */
  readonly dependsOn: readonly { readonly workflowId: string; readonly source?: string }[];
  readonly steps: readonly AnyStepPlan[];
  /**
   * Arazzo 1.1 step dependencies compiled for concurrency (docs/parallel-steps.md): the steps in
   * the order their dependencies (`dependsOn`, `$steps.<id>` reads) allow, independent chains in
   * Parallel states. Absent: the steps run in the order written, routed by their actions.
   */
  readonly schedule?: readonly ScheduleItem[];
  readonly outputs: Readonly<Record<string, OutputPlan>>;
}

/** The result of a nested execution as the workflow step's Task stores it (trimmed by its ResultSelector), or the error it was caught with. */
export type ChildRunResult =
  | { readonly status: 'SUCCEEDED'; readonly executionArn: string; readonly output: unknown }
  | { readonly Error: string; readonly Cause?: string };

/** What the operation handler receives (the Task state's `Parameters`). */
export interface StepEvent {
  /** A callback step's task token (`$$.Task.Token`), resumed by the webhook receiver. */
  readonly taskToken?: string;
  readonly executionId?: string;
  readonly step: string;
  readonly inputs: Record<string, unknown>;
  readonly steps: Record<string, StepResult>;
  /** Present when the workflow has `dependsOn`: each dependency's inputs and outputs. */
  readonly workflows?: Record<string, { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }>;
  /** Present for a workflow step: what its nested execution returned. */
  readonly run?: ChildRunResult;
  /**
   * An operation step with a `timeout`: when the step started (`$$.State.EnteredTime` of its
   * `<stepId>` Pass, ISO 8601). The same on every attempt of the Task, so the timeout bounds them all.
   */
  readonly startedAt?: string;
}

/** What the operation handler returns; the Task stores it at `$.steps.<stepId>`. */
export interface StepResult {
  /** The HTTP status of an operation step; absent for a workflow step. */
  readonly statusCode?: number;
  /** `success`, or the outcome of the matched action (`onSuccess.<name>`, `onFailure.<name>`). */
  readonly outcome: string;
  readonly outputs: Record<string, unknown>;
  /** How many times this step has run in this execution, this run included. */
  readonly visits: number;
  /** Consecutive runs of this step that ended with this same outcome: what a loop's bound counts. */
  readonly attempts?: number;
  /** Delay before the next repeat, when the outcome repeats a step. */
  readonly delaySeconds?: number;
  /** Workflow outputs, when the outcome ends the workflow. */
  readonly workflowOutputs?: Record<string, unknown>;
  /**
   * Written by the emitted states, not the handler: the provider throttled the call (429 with
   * `Retry-After`) and the Task's Catch stored the `Arazzo.RetryAfter` signal here (`wait`, once
   * its Pass states parsed it: the delay and the count of waits in a row). The other fields are
   * the step's previous result, kept as they were (a loop's count goes on); the next result of
   * the Task replaces the whole, so the count starts again after an answer that is not throttled.
   */
  readonly throttle?: { readonly wait?: RetryAfterWait };
  /** The evaluated `parameters` of the matched action: the input of the workflow it runs (`AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID` included). */
  readonly childInput?: Record<string, unknown>;
  /** Response checks that failed at `warn` severity (CONTENT_TYPE_CHECK, SCHEMA_CHECK): the step went on, and the history says why. */
  readonly checks?: readonly CheckFinding[];
  /**
   * Criteria that could not be evaluated (Arazzo 1.1 § Criterion Object, "Evaluation Errors": an
   * XPath over a body that is not XML, a dynamic error, an embedded value that cannot stand where
   * it is) and so were not met: which, and why. Names the criterion and the problem, never a value.
   */
  readonly criteriaNotes?: readonly string[];
}

/** The execution input key that links a nested execution to the one that started it, in the console. */
export const STARTED_BY_KEY = 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID';

/** Shape of the execution state between states. */
export interface ExecutionState {
  readonly inputs: Record<string, unknown>;
  readonly steps: Record<string, StepResult>;
  /**
   * `{ AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: <this execution> }`, when the workflow starts
   * nested executions with its inputs as they are (`dependsOn`, `goto` or `retry` a workflow):
   * merged into their input, it links them to this execution in the console.
   */
  readonly startedBy?: Readonly<Record<string, string>>;
}
