import { isAbsolute, relative } from 'node:path';
import { DEMO_PERSONAL_DATA, DEMO_SIGNING, DEMO_WEBHOOK_VERIFICATION, pointDemoWebhooks, startDemoSandboxes } from '../demo-sandboxes.js';
import { EndpointFileError, startSfnEndpoint, type SfnEndpoint } from '../../local/sfn-endpoint/index.js';
import { ExitCodes, UsageError } from '../cli-error.js';
import { parseOptions } from '../parse-options.js';
import { parseServerOption } from '../parse-server-option.js';
import { printDiagnostics } from '../print-diagnostics.js';
import { readSigningOption, signingHelp } from '../signing-option.js';
import { checkPersonalMatched, personalHelp, personalOption } from '../personal-option.js';
import { formatStepLog } from '../print-execution.js';
import { throttleHelp, throttleOptions } from '../throttle-option.js';

export const serveHelp = `Usage: arazzo-sfn serve [--port 8083] [--db .arazzo-sfn/endpoint.db] [--sandbox] [options]

Runs a local Step Functions endpoint: the Step Functions API (AWS JSON 1.0) over the
embedded engine and the in-process operation handlers, with every workflow of
workflows/arazzo/*.arazzo.yml pre-registered as a state machine named by its workflow id.
Point the AWS CLI or an SDK at it with --endpoint-url (any credentials unless --token):

  aws stepfunctions start-execution --endpoint-url http://127.0.0.1:8083 \\
    --state-machine-arn arn:aws:states:us-east-1:000000000000:stateMachine:customer-verification-poll \\
    --input file://workflows/examples/customer-verification-poll.inputs.json

Callback steps and receive steps (Arazzo 1.1) are resumed through a webhook receiver on a
port of its own, printed at start ("webhook receiver at", and "messages for <step>" under
each state machine that has receive steps): POST a message there, its headers as HTTP
headers and its payload as the body, and the waiting execution takes it.

Executions are kept in a SQLite database and survive a restart. An execution still
running when the endpoint stops is ABORTED (the engine cannot resume a run mid-way).
Executions run in worker threads under AWS's quotas (256 KiB per state's input or
output: States.DataLimitExceeded; 25,000 history events; a maximum duration), so a
runaway definition never stalls the API, and StopExecution always stops it.

Options:
  --port <n>             port on 127.0.0.1 (default 8083, as Step Functions Local; 0 picks one)
  --host <addr>          address to listen on (default 127.0.0.1); the API runs workflows
                         with your secrets, so keep it on loopback. Requests are served only
                         when their Host is a loopback name (localhost, 127.x.x.x, [::1]) or
                         this address
  --token <t>            require every request to be signed with access key id <t>
                         (AWS_ACCESS_KEY_ID=<t>; the secret key is not checked); also read from
                         ARAZZO_SFN_TOKEN, which keeps it out of the process list
  --db <file>            the database (default .arazzo-sfn/endpoint.db); its sealing key is
                         kept beside it (<file>.seal-key)
  --dir <folder>         the Arazzo documents to pre-register (default workflows/arazzo)
  --sandbox              serve every source the simulators know from the embedded sandbox, with
                         demo credentials in the local secrets provider, so the example inputs
                         (workflows/examples/*.inputs.json) run as they are, and the seeds'
                         personal inputs declared as "npm start" declares them
  --server <name=url>    server URL of a source description (repeatable)
${signingHelp}
${personalHelp}
                         StartExecution seals them before the execution exists, so
                         DescribeExecution and GetExecutionHistory show "sealed:" strings
${throttleHelp}
  --region <name>        region written into ARNs (default us-east-1)
  --max-duration <s>     seconds an execution may run before it times out (ExecutionTimedOut;
                         default a year, as on AWS)
  --wait-ms <n>          pause n ms in every Wait state instead of the real delay
  --retry-ms <n>         pause n ms between Task retries instead of the real backoff

Secrets: "secret:<name>" reads ARAZZO_SECRET_<NAME> from the environment (and the demo
credentials with --sandbox). Stop with Ctrl-C.`;

export interface ServeOptions {
  readonly port?: number;
  readonly host?: string;
  readonly token?: string;
  readonly db?: string;
  readonly dir?: string;
  readonly sandbox?: boolean;
  readonly server?: readonly string[];
  /** Request signing per source description name (a checked `--signing` file); wins over the sandbox's per source. */
  readonly signing?: Readonly<Record<string, unknown>>;
  readonly region?: string;
  readonly waitMs?: number;
  readonly retryMs?: number;
  readonly maxDurationSeconds?: number;
  /** `--personal` entries: `[<workflowId>:]<input path or $steps.<id>.outputs.<name>>`. */
  readonly personal?: readonly string[];
  /** `off`, `on` or the bounds of the throttled Wait (`--throttle`). */
  readonly throttle?: string;
}

const wholeNumber = (name: string, v: string | undefined, max = Number.MAX_SAFE_INTEGER) => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > max)
    throw new UsageError(`--${name} expects a whole number${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got "${v}"`);
  return Number(v);
};

/** `arazzo-sfn serve <args>`: parses the arguments, serves until SIGINT/SIGTERM (or `until` aborts). */
export function runServeCommand(
  args: readonly string[],
  out: NodeJS.WritableStream,
  until?: AbortSignal,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const { values } = parseOptions('serve', serveHelp, {
    args: [...args],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      db: { type: 'string' },
      dir: { type: 'string' },
      sandbox: { type: 'boolean' },
      server: { type: 'string', multiple: true },
      signing: { type: 'string' },
      region: { type: 'string' },
      'wait-ms': { type: 'string' },
      'retry-ms': { type: 'string' },
      'max-duration': { type: 'string' },
      personal: { type: 'string', multiple: true },
      throttle: { type: 'string' },
    },
  });
  if (values['max-duration'] === '0') throw new UsageError('--max-duration expects at least 1 second');
  // The environment keeps the token out of the process list.
  const token = values.token ?? (process.env.ARAZZO_SFN_TOKEN || undefined);
  if (token !== undefined && !/^[\w.~+=-]{8,128}$/.test(token))
    throw new UsageError('--token expects 8 to 128 letters, digits or ._~+=- (it travels as the access key id of the signature)');
  if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(values.region))
    throw new UsageError(`--region expects a region name such as eu-west-1, got "${values.region}"`);
  const options: ServeOptions = {
    ...(values.port !== undefined ? { port: wholeNumber('port', values.port, 65_535) } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(values.db !== undefined ? { db: values.db } : {}),
    ...(values.dir !== undefined ? { dir: values.dir } : {}),
    ...(values.sandbox ? { sandbox: true } : {}),
    ...(values.server ? { server: values.server } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values['wait-ms'] !== undefined ? { waitMs: wholeNumber('wait-ms', values['wait-ms']) } : {}),
    ...(values['retry-ms'] !== undefined ? { retryMs: wholeNumber('retry-ms', values['retry-ms']) } : {}),
    ...(values['max-duration'] !== undefined ? { maxDurationSeconds: wholeNumber('max-duration', values['max-duration'], 365 * 24 * 3600) } : {}),
    ...(values.personal ? { personal: values.personal } : {}),
    ...(values.throttle !== undefined ? { throttle: values.throttle } : {}),
  };
  if (values.signing === undefined) return runServe(options, out, until);
  // A bad file stops the endpoint before it starts, its errors at file:line:col.
  return readSigningOption(values.signing).then((signing) => {
    if (!signing.signing) {
      printDiagnostics(signing, err);
      return ExitCodes.usage;
    }
    return runServe({ ...options, signing: signing.signing }, out, until);
  });
}

/** Relative to the working directory when inside it, as the user typed it; absolute otherwise. */
const shownPath = (file: string) => {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
};

const shortArn = (arn: string) => arn.slice(arn.indexOf(':execution:') + ':execution:'.length);

export async function runServe(opts: ServeOptions, out: NodeJS.WritableStream, until?: AbortSignal): Promise<number> {
  const serverUrls: Record<string, string> = {};
  for (const pair of opts.server ?? []) {
    const { name, url } = parseServerOption(pair);
    serverUrls[name] = url;
  }
  // Checked before a sandbox starts: the same parsing as run's.
  const { throttle } = throttleOptions(opts.throttle);
  const personalData = personalOption(opts.personal ?? [], opts.sandbox ? DEMO_PERSONAL_DATA : undefined);
  const demo = opts.sandbox ? await startDemoSandboxes() : undefined;
  let endpoint: SfnEndpoint;
  try {
    endpoint = await startSfnEndpoint({
      port: opts.port ?? 8083,
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      ...(opts.token !== undefined ? { token: opts.token } : {}),
      ...(opts.db !== undefined ? { dbFile: opts.db } : {}),
      ...(opts.dir !== undefined ? { workflowsDir: opts.dir } : {}),
      ...(opts.region !== undefined ? { region: opts.region } : {}),
      // The demo sandbox verifies PIS signatures: the endpoint signs seed 001's payment calls as the demo does.
      ...(demo ? { sandbox: demo.sandboxes, secrets: demo.secrets } : {}),
      ...(demo || opts.signing ? { signing: { ...(demo ? DEMO_SIGNING : {}), ...opts.signing } } : {}),
      ...(personalData ? { personalData } : {}),
      // The demo sandbox signs connectFi's webhooks: seed 003's callbacks are verified as the demo verifies them.
      ...(demo ? { webhookVerification: DEMO_WEBHOOK_VERIFICATION } : {}),
      ...(throttle !== undefined ? { throttle } : {}),
      serverUrls,
      ...(opts.waitMs !== undefined ? { waitMs: opts.waitMs } : {}),
      ...(opts.retryMs !== undefined ? { retryIntervalMs: opts.retryMs } : {}),
      ...(opts.maxDurationSeconds !== undefined ? { executions: { quotas: { maxDurationMs: opts.maxDurationSeconds * 1000 } } } : {}),
      log: (line) => out.write(`endpoint: ${line}\n`),
      onStepLog: (arn, entry) => out.write(`${arn ? shortArn(arn) : '?'} ${formatStepLog(entry).trimStart()}\n`),
      onExecution: ({ phase, execution }) =>
        out.write(
          phase === 'started'
            ? `${shortArn(execution.arn)} started\n`
            : `${shortArn(execution.arn)} ${execution.status}${execution.error ? ` ${execution.error}` : ''} (${(execution.stopDate ?? execution.startDate) - execution.startDate} ms)\n`,
        ),
    });
  } catch (err) {
    await demo?.sandboxes.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${opts.port ?? 8083} is in use: pick another with --port`);
    if (err instanceof EndpointFileError) throw new UsageError((err as Error).message);
    throw err;
  }
  try {
    checkPersonalMatched(personalData, endpoint.stateMachines.map((m) => m.personalInputs), opts.dir ?? 'workflows/arazzo');
  } catch (err) {
    await endpoint.close();
    await demo?.sandboxes.close();
    throw err;
  }
  try {
    out.write(`arazzo-sfn local Step Functions endpoint at ${endpoint.url} (region ${endpoint.region}, database ${shownPath(endpoint.dbFile)})\n`);
    out.write(`state machines:\n`);
    for (const m of endpoint.stateMachines) {
      out.write(`  ${m.arn}  (${m.sourceFile})${m.personalInputs.length ? `; sealed inputs: ${m.personalInputs.join(', ')}` : ''}\n`);
      // As run prints them: where a message for a receive step may be POSTed (on a broker channel, it is published on its queue, topic or bus).
      for (const r of m.messages) out.write(`    messages for ${r.stepId}: ${r.url}${r.publishedOn ? ` (published on ${r.publishedOn})` : ''}\n`);
    }
    out.write(`webhook receiver at ${endpoint.receiverUrl} (callbacks: ${endpoint.receiverUrl}/callbacks?id=<id>; messages: ${endpoint.receiverUrl}/messages/<source>/<channel>)\n`);
    if (demo) {
      pointDemoWebhooks(demo.sandboxes, endpoint);
      out.write(
        `sandbox: Fintecture ${demo.sandboxes.fintecture.url}, Mbanq ${demo.sandboxes.mbanq.url}, connectFi ${demo.sandboxes.connectfi.url}; demo credentials in the local secrets provider\n`,
      );
    }
    if (endpoint.abortedAtStart.length) out.write(`${endpoint.abortedAtStart.length} execution(s) left running by the last session are now ABORTED\n`);
    const example = endpoint.stateMachines[0];
    if (example) {
      out.write(
        `try:  aws stepfunctions start-execution --endpoint-url ${endpoint.url} --state-machine-arn ${example.arn} --input file://workflows/examples/${example.name}.inputs.json\n`,
      );
    }
    out.write('Ctrl-C stops the endpoint (executions still running are aborted).\n');
    await new Promise<void>((resolve) => {
      if (until) {
        if (until.aborted) return resolve();
        return until.addEventListener('abort', () => resolve(), { once: true });
      }
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    out.write('stopping\n');
    return ExitCodes.ok;
  } finally {
    await endpoint.close();
    await demo?.sandboxes.close();
  }
}
