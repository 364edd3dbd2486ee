import { enableCompileCache } from 'node:module';
import { ExitCodes, UsageError } from './cli-error.js';
import { LOAD_FLAGS, loadOptionsFrom, REMOTE_FLAGS, remoteOptionsFrom } from './load-flags.js';
import { redactUserinfo } from './parse-server-option.js';
import { closest, parseOptions } from './parse-options.js';
import { styleFor } from './style.js';
import { cliVersion } from './version.js';

// V8 keeps the bytecode of the modules it compiles on disk (Node's compile cache, in the temp
// directory unless NODE_COMPILE_CACHE says otherwise), so the next command skips parsing them.
enableCompileCache?.();

// Each command loads its own modules when it runs: `run` should not pay for the compiler, the
// simulators, SQLite or the AWS SDK clients that other commands use.
const commands = {
  validate: () => import('./commands/validate.js'),
  compile: () => import('./commands/compile.js'),
  run: () => import('./commands/run.js'),
  graph: () => import('./commands/graph.js'),
  demo: () => import('./commands/demo.js'),
  sandbox: () => import('./commands/sandbox.js'),
  serve: () => import('./commands/serve.js'),
  upgrade: () => import('./commands/upgrade.js'),
  'public-key': () => import('./commands/public-key.js'),
};

const usage = `arazzo-sfn — compile Arazzo 1.0.1 workflows into AWS Step Functions and run them locally

Usage: arazzo-sfn <command> [options]

Commands:
  validate <file>...   check documents; errors and lint warnings as file:line:col
  compile <file>       emit the ASL definition and plan of each workflow
  run <file>           run workflows on the embedded engine (real servers or --sandbox)
  graph <file>         the state machine as an HTML page; with --history or --execution,
                       the path an execution took and each state's status
  demo                 compile and run every seed workflow against the embedded sandbox
  sandbox              serve the provider simulators (Fintecture, Mbanq, connectFi, OAI examples)
  serve                a local Step Functions endpoint (AWS JSON 1.0) for the AWS CLI and SDKs
  upgrade <file>       rewrite an Arazzo 1.0.x document to 1.1.0 where the meaning is unchanged
  public-key <key>     print a KMS signing key's public key (PEM or JWK) to register with a provider

Options for every command:
  --help, -h           the command's options
  --version            the version of arazzo-sfn
  --no-color           no colours (also NO_COLOR=1); colours are used only on a terminal

Run "arazzo-sfn <command> --help" for a command's options.
Exit codes: 0 success, 1 execution failed, 2 usage or compile error.`;

const toInt = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} expects a whole number of milliseconds, got "${v}"`);
  return Number(v);
};

async function main(argv: string[]): Promise<number> {
  // Global flags may stand anywhere before a "--".
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  const noColor = argv.slice(0, end).includes('--no-color');
  const args = argv.filter((a, i) => i >= end || a !== '--no-color');
  const [command, ...rest] = args;
  const help = rest.includes('--help') || rest.includes('-h');
  const out = process.stdout;
  const err = process.stderr;
  const style = styleFor(out, { noColor });
  const errStyle = styleFor(err, { noColor });
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out.write(usage + '\n');
      return command === undefined ? ExitCodes.usage : ExitCodes.ok;
    case 'version':
    case '--version':
    case '-V':
      out.write(`arazzo-sfn ${cliVersion()}\n`);
      return ExitCodes.ok;
    case 'validate': {
      const { runValidate, validateHelp } = await commands.validate();
      if (help) return (void out.write(validateHelp + '\n'), ExitCodes.ok);
      const { positionals, values } = parseOptions('validate', validateHelp, { args: rest, allowPositionals: true, options: { ...LOAD_FLAGS } });
      if (!positionals.length) throw new UsageError('validate needs at least one file');
      return runValidate(positionals, out, loadOptionsFrom(values), style);
    }
    case 'upgrade': {
      const { runUpgrade, upgradeHelp } = await commands.upgrade();
      if (help) return (void out.write(upgradeHelp + '\n'), ExitCodes.ok);
      const { positionals, values } = parseOptions('upgrade', upgradeHelp, { args: rest, allowPositionals: true, options: { write: { type: 'boolean' } } });
      if (positionals.length !== 1) throw new UsageError('upgrade needs exactly one file');
      return runUpgrade(positionals[0], values.write === true, out, err);
    }
    case 'compile': {
      const { compileHelp, runCompile } = await commands.compile();
      if (help) return (void out.write(compileHelp + '\n'), ExitCodes.ok);
      const { positionals, values } = parseOptions('compile', compileHelp, {
        args: rest,
        allowPositionals: true,
        options: { workflow: { type: 'string' }, out: { type: 'string' }, severity: { type: 'string', multiple: true }, throttle: { type: 'string' }, prices: { type: 'string' }, signing: { type: 'string' }, ...LOAD_FLAGS },
      });
      if (positionals.length !== 1) throw new UsageError('compile needs exactly one file');
      return runCompile(positionals[0], { ...values, ...loadOptionsFrom(values) }, out, err, errStyle);
    }
    case 'run': {
      const { runHelp, runRun } = await commands.run();
      if (help) return (void out.write(runHelp + '\n'), ExitCodes.ok);
      const { positionals, values } = parseOptions('run', runHelp, {
        args: rest,
        allowPositionals: true,
        options: {
          workflow: { type: 'string' },
          input: { type: 'string', multiple: true },
          inputs: { type: 'string' },
          personal: { type: 'string', multiple: true },
          server: { type: 'string', multiple: true },
          signing: { type: 'string' },
          sandbox: { type: 'boolean' },
          'wait-ms': { type: 'string' },
          'retry-ms': { type: 'string' },
          json: { type: 'boolean' },
          junit: { type: 'string' },
          verbose: { type: 'boolean' },
          severity: { type: 'string', multiple: true },
          throttle: { type: 'string' },
          cache: { type: 'boolean', default: true },
          ...REMOTE_FLAGS,
        },
        allowNegative: true,
      });
      if (positionals.length !== 1) throw new UsageError('run needs exactly one file');
      return runRun(
        positionals[0],
        {
          ...values,
          waitMs: toInt('wait-ms', values['wait-ms']),
          retryMs: toInt('retry-ms', values['retry-ms']),
          remote: remoteOptionsFrom(values),
          style: values.json ? undefined : style,
          errStyle,
        },
        out,
        err,
      );
    }
    case 'graph': {
      const { graphHelp, runGraph } = await commands.graph();
      if (help) return (void out.write(graphHelp + '\n'), ExitCodes.ok);
      const { positionals, values } = parseOptions('graph', graphHelp, {
        args: rest,
        allowPositionals: true,
        options: {
          workflow: { type: 'string' },
          history: { type: 'string' },
          execution: { type: 'string' },
          'endpoint-url': { type: 'string' },
          region: { type: 'string' },
          out: { type: 'string' },
        },
      });
      if (positionals.length !== 1) throw new UsageError('graph needs exactly one file');
      const { 'endpoint-url': endpointUrl, ...others } = values;
      return runGraph(positionals[0], { ...others, endpointUrl }, out, err);
    }
    case 'demo': {
      const { demoHelp, runDemo } = await commands.demo();
      if (help) return (void out.write(demoHelp + '\n'), ExitCodes.ok);
      const { values } = parseOptions('demo', demoHelp, {
        args: rest,
        options: { dir: { type: 'string' }, 'wait-ms': { type: 'string' }, warnings: { type: 'boolean' }, verbose: { type: 'boolean' } },
      });
      return runDemo({ dir: values.dir, waitMs: toInt('wait-ms', values['wait-ms']), warnings: values.warnings, verbose: values.verbose, style }, out);
    }
    case 'sandbox': {
      const { runSandbox, sandboxHelp } = await commands.sandbox();
      if (help) return (void out.write(sandboxHelp + '\n'), ExitCodes.ok);
      const { values } = parseOptions('sandbox', sandboxHelp, {
        args: rest,
        options: { port: { type: 'string' }, host: { type: 'string' }, 'signature-key': { type: 'string', multiple: true }, 'verify-signatures': { type: 'boolean' } },
        allowNegative: true,
      });
      return runSandbox(values, out);
    }
    case 'public-key': {
      const { publicKeyHelp, runPublicKey } = await commands['public-key']();
      if (help) return (void out.write(publicKeyHelp + '\n'), ExitCodes.ok);
      const { positionals, values } = parseOptions('public-key', publicKeyHelp, {
        args: rest,
        allowPositionals: true,
        options: { format: { type: 'string' }, kid: { type: 'string' }, region: { type: 'string' }, 'endpoint-url': { type: 'string' } },
      });
      if (positionals.length !== 1) throw new UsageError('public-key needs exactly one KMS key (ARN, id or alias/<name>)');
      const { 'endpoint-url': endpointUrl, ...others } = values;
      return runPublicKey(positionals[0], { ...others, endpointUrl }, out, err);
    }
    case 'serve': {
      const { runServeCommand, serveHelp } = await commands.serve();
      if (help) return (void out.write(serveHelp + '\n'), ExitCodes.ok);
      return runServeCommand(rest, out, undefined, err);
    }
    default: {
      const suggestion = closest(command, Object.keys(commands));
      throw new UsageError(`unknown command "${command}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}\n\n${usage}`);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Usage and argument errors are the user's to fix: one line (the usage may follow), no stack.
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`arazzo-sfn: ${redactUserinfo(e.message)}\n`);
      process.exitCode = ExitCodes.usage;
    } else {
      process.stderr.write(`arazzo-sfn: internal error: ${redactUserinfo(e.stack ?? e.message)}\n`);
      process.exitCode = 70;
    }
  },
);
