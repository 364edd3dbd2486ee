/**
 * Run in a fresh process by the respect benchmark: splits what `arazzo-sfn run <file>` spends
 * into node boot, loading the CLI's modules, each compile phase (cold: first calls, lazy
 * requires), binding the engine, the execution, and printing it.
 *
 * Usage: run-cold.js <file.arazzo.yml> <source name> <server url> <inputs as JSON>
 */
const bootMs = performance.now();
const [file, source, serverUrl, inputsJson] = process.argv.slice(2);
if (!file || !source || !serverUrl || !inputsJson) throw new Error('usage: run-cold.js <file> <source> <url> <inputs json>');

let t = process.hrtime.bigint();
const laps: Record<string, number> = {};
const lap = (phase: string) => {
  const now = process.hrtime.bigint();
  laps[phase] = (laps[phase] ?? 0) + Number(now - t) / 1e6;
  t = process.hrtime.bigint();
};
const skip = () => {
  t = process.hrtime.bigint();
};

// What cli/main.js loads before it parses its arguments (every command module), in layers, so
// each lap is what that layer adds over the ones before it.
await import('../../compiler/index.js');
lap('import compiler');
await import('../../local/workflow-set.js');
lap('import engine');
await import('../../sandbox/index.js');
lap('import sandbox');
await Promise.all([
  import('../../cli/commands/compile.js'),
  import('../../cli/commands/demo.js'),
  import('../../cli/commands/run.js'),
  import('../../cli/commands/validate.js'),
]);
lap('import rest of CLI');

const { compilePhased } = await import('../compile.js');
const { compileFile, hasErrors } = await import('../../compiler/index.js');
const { LocalWorkflowSet } = await import('../../local/workflow-set.js');
const { moveCredentialsToSecrets } = await import('../../local/prepare-inputs.js');
const { AesGcmSealer, ChainedSecretsProvider, EnvironmentSecretsProvider, InMemorySecretsProvider } = await import('../../functions/runtime/secrets/index.js');
const { formatExecution, formatStepLog } = await import('../../cli/print-execution.js');
const { Agent } = await import('undici');
skip();

await compilePhased(file, lap);
// The phases above are the cold compile; the result the run needs is taken from a second,
// warm compile that is not counted.
const result = await compileFile(file);
if (hasErrors(result.diagnostics)) throw new Error(`${file} does not compile`);
skip();

const set = new LocalWorkflowSet(result);
const plan = result.workflows[0].plan;
const localSecrets = new InMemorySecretsProvider();
const input = moveCredentialsToSecrets(plan, JSON.parse(inputsJson), localSecrets, 'bench');
const dispatcher = new Agent({ connect: { timeout: 5_000 }, keepAliveTimeout: 10_000 });
const secrets = new ChainedSecretsProvider([localSecrets, new EnvironmentSecretsProvider()]);
const sealer = new AesGcmSealer();
lap('bind engine');

const lines: string[] = [];
const execution = await set.run(plan.workflowId, input, {
  executionName: 'bench',
  runtime: { secrets, sealer, dispatcher, serverUrls: { [source]: serverUrl }, log: (entry) => lines.push(formatStepLog(entry)) },
});
lap('execute');
lines.push(formatExecution(execution, { history: false }));
lap('print');
await dispatcher.close();
if (execution.status !== 'SUCCEEDED') throw new Error(`execution ${execution.status}: ${execution.error} ${execution.cause}`);
process.stdout.write(JSON.stringify({ bootMs, ...laps }) + '\n');
