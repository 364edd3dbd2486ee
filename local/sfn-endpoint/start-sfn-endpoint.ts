import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { relative, resolve } from 'node:path';
import { TlsAlertAgent } from '../../functions/runtime/http/tls-alert-agent.js';
import type { StepLogEntry, StepRuntime } from '../../functions/runtime/handle-step.js';
import { AesGcmSealer, ChainedSecretsProvider, EnvironmentSecretsProvider, InMemorySecretsProvider } from '../../functions/runtime/secrets/index.js';
import { DEFAULT_FINTECTURE_CLIENTS, makeSandboxSigning, startSandboxes, type SandboxSet } from '../../sandbox/index.js';
import type { CompileOptions } from '../../compiler/plan/compile-options.js';

/** Where the signing key the endpoint makes for its sandbox lives in its local secrets (never on disk). */
const SANDBOX_SIGNING_KEY = 'sandbox/fintecture/signing-key';
import { startLocalCallbacks } from '../local-callbacks.js';
import { receiveStepUrls, type ReceiveStepUrl } from '../receive-step-urls.js';
import type { WorkflowPlan } from '../../core/plan.js';
import { SfnApi } from './api.js';
import { DEFAULT_SCOPE, defaultRoleArn, type ArnScope } from './arns.js';
import { WorkflowCatalog, type DocumentGroup } from './catalog.js';
import { EnginePool, type EnginePoolOptions } from './engine/engine-pool.js';
import { EndpointErrors, ExecutionRunner, RESTART_CAUSE } from './executions.js';
import { createSfnServer } from './server.js';
import { EndpointFileError, EndpointStore, type ExecutionRecord } from './store.js';
import { currentExecution, TrackedTaskTokens } from './task-tokens.js';

export interface SfnEndpointOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * When set, a request must be signed (SigV4) with this access key id, e.g. `AWS_ACCESS_KEY_ID`
   * of the AWS CLI (the secret key is not checked). Requests whose Host is not a loopback name
   * or `host` are refused either way.
   * @default no token
   */
  readonly token?: string;
  /** @default 0 (an ephemeral port: read `url`) */
  readonly port?: number;
  /** The SQLite file executions are kept in. @default `.arazzo-sfn/endpoint.db` under the working directory */
  readonly dbFile?: string;
  /** Folder of the Arazzo documents whose workflows are pre-registered. @default `workflows/arazzo` under the working directory */
  readonly workflowsDir?: string;
  /** The documents to pre-register, instead of a folder's. */
  readonly workflowFiles?: readonly string[];
  /** Written into every ARN. @default us-east-1 */
  readonly region?: string;
  /** Written into every ARN. @default 000000000000 */
  readonly account?: string;
  /**
   * Serve every source a simulator knows from the embedded sandbox: `true` starts one (closed with
   * the endpoint), or pass a running set. One it starts verifies PIS signatures as the real API
   * does, so the endpoint signs seed 001's payment calls as `run --sandbox` does (a key made for
   * the endpoint, registered for the sandbox's applications), unless `signing` is given.
   */
  readonly sandbox?: boolean | SandboxSet;
  /**
   * Request signing by configuration, per source description name (the fields of
   * `x-arazzo-sfn-signing`, docs/signing.md), as the construct's `signing` prop.
   * @default - the descriptions' own declarations; with `sandbox: true`, Fintecture's PIS signature
   */
  readonly signing?: CompileOptions['signing'];
  /**
   * Personal data by workflow id (`*` for any workflow), for documents kept verbatim: input paths
   * and step outputs, as the construct's `personalData` prop. StartExecution seals those inputs
   * before the execution exists, so its input and history carry `sealed:` strings.
   * @default - what the documents declare (`x-arazzo-sfn-personal`)
   */
  readonly personalData?: CompileOptions['personalData'];
  /** Webhook verification by configuration, by workflow id then step id, as the construct's `webhookVerification` prop. */
  readonly webhookVerification?: CompileOptions['webhookVerification'];
  /**
   * A provider's 429 with `Retry-After` (the construct's `throttle` prop, `--throttle`).
   * @default { maxWaitSeconds: 60, maxWaits: 5 }
   */
  readonly throttle?: CompileOptions['throttle'];
  /** Server URL per source description name; wins over the sandbox's. */
  readonly serverUrls?: Readonly<Record<string, string>>;
  /** Secrets the executions may reference (`secret:<name>`), besides the `ARAZZO_SECRET_*` environment variables. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** The sealing key (32 bytes). @default a key kept beside the database (`<dbFile>.seal-key`), created on first start */
  readonly sealKey?: Buffer;
  /** Milliseconds every Wait state pauses instead of its seconds. @default real waits */
  readonly waitMs?: number;
  /** Milliseconds between Task retries instead of their backoff. @default real backoff */
  readonly retryIntervalMs?: number;
  /** Milliseconds per second of a callback step's HeartbeatSeconds/TimeoutSeconds. @default 1000 */
  readonly callbackSecondsToMs?: number;
  /**
   * Where executions run and what bounds them: worker threads (so a runaway definition cannot
   * starve the API), each with a memory limit, and AWS's quotas (256 KiB per state, 25,000
   * history events) plus a maximum duration and a history data budget.
   */
  readonly executions?: EnginePoolOptions;
  /** The endpoint's own messages: documents left out, executions aborted by a restart, faults. */
  readonly log?: (line: string) => void;
  /** Every HTTP call a step makes (never headers or bodies), with the execution it belongs to. */
  readonly onStepLog?: (executionArn: string | undefined, entry: StepLogEntry) => void;
  /** Every execution start and end. */
  readonly onExecution?: (event: { readonly phase: 'started' | 'ended'; readonly execution: ExecutionRecord }) => void;
}

export interface SfnEndpoint {
  /** `http://host:port`: the `--endpoint-url` of the AWS CLI and the SDK's `endpoint`. */
  readonly url: string;
  readonly region: string;
  readonly account: string;
  readonly dbFile: string;
  /** The pre-registered state machines (compiled workflows). */
  readonly stateMachines: readonly {
    readonly name: string;
    readonly arn: string;
    readonly sourceFile: string;
    readonly personalInputs: readonly string[];
    /** Where each receive step of the machine takes its messages on the endpoint's receiver (`receiverUrl`). */
    readonly messages: readonly ReceiveStepUrl[];
  }[];
  /** The in-process secrets provider the executions read (`secret:<name>`); add to it while the endpoint runs. */
  readonly secrets: InMemorySecretsProvider;
  /** The sandbox, when the endpoint serves sources from one. */
  readonly sandboxes?: SandboxSet;
  /** Executions found RUNNING at start (left by a process that ended) and closed as ABORTED. */
  readonly abortedAtStart: readonly string[];
  /**
   * The webhook receiver's base URL (loopback, a port of its own): callback steps write
   * `<receiverUrl>/callbacks?id=<id>` into their requests, and receive steps take messages at
   * `<receiverUrl>/messages/<source>/<channel>`.
   */
  readonly receiverUrl: string;
  /** Where the local receiver takes messages for an AsyncAPI channel: the URL a provider (a simulator's webhook) is given. */
  messageUrl(source: string, channel: string): string;
  /**
   * Task tokens still waiting for `SendTaskSuccess`/`SendTaskFailure`, of one execution or all:
   * on AWS the Task hands its token to the resource it calls; here that resource is in-process.
   */
  openTaskTokens(executionArn?: string): string[];
  close(): Promise<void>;
}

/** The sealing key beside the database, so values sealed before a restart still open after it. */
function sealKeyBeside(dbFile: string): Buffer {
  if (dbFile === ':memory:') return randomBytes(32);
  const file = `${dbFile}.seal-key`;
  const unusable = (why: string) => new EndpointFileError(`${file}: ${why}`);
  try {
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(`cannot create the sealing key (${(err as NodeJS.ErrnoException).code})`);
  }
  const stat = statSync(file);
  if (!stat.isFile() || stat.size > 1024) throw unusable('not a sealing key (a regular file holding a 32-byte key, base64-encoded)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw unusable(`cannot read the sealing key (${(err as NodeJS.ErrnoException).code})`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw unusable('must hold a 32-byte key, base64-encoded');
  return key;
}

/**
 * Starts the local Step Functions endpoint: the Step Functions API (AWS JSON 1.0) over the
 * embedded engine and the in-process handlers, with the compiled workflows pre-registered and
 * executions kept in SQLite. Executions a previous process left RUNNING are closed ABORTED at
 * start (the engine cannot resume a run); `close()` aborts the ones still running.
 */
export async function startSfnEndpoint(options: SfnEndpointOptions = {}): Promise<SfnEndpoint> {
  const scope: ArnScope = { region: options.region ?? DEFAULT_SCOPE.region, account: options.account ?? DEFAULT_SCOPE.account };
  const log = options.log ?? (() => undefined);
  const dbFile = options.dbFile === ':memory:' ? ':memory:' : resolve(options.dbFile ?? '.arazzo-sfn/endpoint.db');
  const store = new EndpointStore(dbFile);
  const cleanups: (() => Promise<void> | void)[] = [() => store.close()];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    // The first engine worker loads while the workflows compile; the endpoint is ready once it has,
    // so the first execution does not wait for it.
    const engine = new EnginePool(options.executions);
    cleanups.push(() => engine.close());
    const warming = engine.warm();
    const abortedAtStart = store.abortRunning(EndpointErrors.restarted, RESTART_CAUSE, Date.now());
    for (const arn of abortedAtStart) log(`execution ${arn} was RUNNING when the endpoint last stopped: now ABORTED (${EndpointErrors.restarted})`);

    const sandboxSigning = options.sandbox === true && !options.signing ? makeSandboxSigning(Object.keys(DEFAULT_FINTECTURE_CLIENTS), SANDBOX_SIGNING_KEY) : undefined;
    const signing = options.signing ?? sandboxSigning?.signing;
    const compileOptions = {
      ...(signing ? { signing } : {}),
      ...(options.personalData ? { personalData: options.personalData } : {}),
      ...(options.webhookVerification ? { webhookVerification: options.webhookVerification } : {}),
      ...(options.throttle !== undefined ? { throttle: options.throttle } : {}),
    };
    const catalog = options.workflowFiles
      ? await WorkflowCatalog.fromFiles(options.workflowFiles, scope, compileOptions)
      : await WorkflowCatalog.fromDirectory(resolve(options.workflowsDir ?? 'workflows/arazzo'), scope, compileOptions);
    for (const problem of catalog.problems) log(`${relative(process.cwd(), problem.file)}: ${problem.message}`);
    const registered: (Omit<SfnEndpoint['stateMachines'][number], 'messages'> & { readonly plan: WorkflowPlan })[] = [];
    for (const entry of catalog.entries) {
      const sourceFile = relative(process.cwd(), entry.group.file);
      const existing = store.getStateMachine(entry.arn);
      if (!existing) {
        store.insertStateMachine({ arn: entry.arn, name: entry.name, definition: entry.definitionText, roleArn: defaultRoleArn(scope), type: 'STANDARD', origin: 'arazzo', sourceFile, createdAt: Date.now() });
      } else if (existing.origin === 'api') {
        log(`state machine ${entry.name} was created through the API: the workflow from ${sourceFile} is not registered over it`);
        continue;
      } else if (existing.definition !== entry.definitionText || existing.sourceFile !== sourceFile) {
        store.updateStateMachineDefinition(entry.arn, entry.definitionText, sourceFile);
      }
      registered.push({ name: entry.name, arn: entry.arn, sourceFile, personalInputs: entry.compiled.plan.personalInputs ?? [], plan: entry.compiled.plan });
    }

    const sealer = new AesGcmSealer(options.sealKey ?? sealKeyBeside(dbFile));
    const localSecrets = new InMemorySecretsProvider({ ...sandboxSigning?.secrets, ...options.secrets });
    const secrets = new ChainedSecretsProvider([localSecrets, new EnvironmentSecretsProvider()]);
    let sandboxes: SandboxSet | undefined;
    if (options.sandbox === true) {
      sandboxes = await startSandboxes(sandboxSigning ? { fintecture: { signatureKeys: sandboxSigning.signatureKeys } } : {});
      const started = sandboxes;
      cleanups.push(() => started.close());
    } else if (options.sandbox) sandboxes = options.sandbox;

    const tokens = new TrackedTaskTokens();
    const callbacks = await startLocalCallbacks({ sealer, secrets, tokens, ...(options.host ? { host: options.host } : {}) });
    cleanups.push(() => callbacks.close());
    // The simulators that answer over a broker (the Tic Tac Toe game service) listen on the endpoint's embedded broker.
    if (sandboxes) {
      const stop = sandboxes.serveMessages(callbacks.broker);
      cleanups.push(stop);
    }
    // Remembers TLS alerts: a refused client certificate fails the step by name (docs/mtls.md).
    const dispatcher = new TlsAlertAgent({ connectTimeoutMs: 5_000, keepAliveTimeoutMs: 10_000 });
    cleanups.push(() => dispatcher.close());

    const runtimes = new Map<DocumentGroup | undefined, StepRuntime>();
    const runtimeFor = (group: DocumentGroup | undefined): StepRuntime => {
      let runtime = runtimes.get(group);
      if (runtime) return runtime;
      const serverUrls: Record<string, string> = {};
      // Nested workflows call their own sources: a document's runtime maps every source of every workflow it may start.
      const plans = group ? group.plans : catalog.entries.map((e) => e.compiled.plan);
      if (sandboxes) for (const plan of plans) Object.assign(serverUrls, sandboxes.serverUrlsFor(plan));
      Object.assign(serverUrls, options.serverUrls);
      runtime = {
        secrets,
        sealer,
        dispatcher,
        serverUrls,
        // Send steps on SQS, SNS or EventBridge publish to the embedded broker, which delivers to receive steps (Arazzo 1.1).
        messages: callbacks.broker,
        ...(options.onStepLog ? { log: (entry: StepLogEntry) => options.onStepLog!(currentExecution.getStore()?.executionArn, entry) } : {}),
      };
      runtimes.set(group, runtime);
      return runtime;
    };

    const runner = new ExecutionRunner({
      engine,
      store,
      catalog,
      scope,
      runtimeFor,
      callbacks,
      tokens,
      report: (message) => log(message),
      ...(options.callbackSecondsToMs !== undefined ? { callbackSecondsToMs: options.callbackSecondsToMs } : {}),
      ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
      ...(options.retryIntervalMs !== undefined ? { retryIntervalMs: options.retryIntervalMs } : {}),
      ...(options.onExecution ? { onExecution: options.onExecution } : {}),
    });
    // Executions are stopped before the pieces they run on are closed.
    cleanups.push(() => runner.close());
    const api = new SfnApi({ store, runner, tokens, scope, engine });
    await warming;
    const server = createSfnServer(api, {
      report: (message) => log(message),
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
    });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolveListen());
    });
    cleanups.push(
      () =>
        new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          server.closeAllConnections();
        }),
    );
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;

    let closed: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}`,
      region: scope.region,
      account: scope.account,
      dbFile,
      stateMachines: registered.map(({ plan, ...machine }) => ({ ...machine, messages: receiveStepUrls(plan, callbacks) })),
      receiverUrl: callbacks.baseUrl,
      secrets: localSecrets,
      ...(sandboxes ? { sandboxes } : {}),
      abortedAtStart,
      openTaskTokens: (executionArn) => tokens.open(executionArn),
      messageUrl: (source, channel) => callbacks.messageUrl(source, channel),
      close: () => (closed ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
