/**
 * The compiler as a process, for the CDK construct: CDK constructs are synchronous and the
 * compiler is not (it reads files and dereferences OpenAPI `$ref`s asynchronously), so the
 * construct runs this with `execFileSync` and reads one JSON document from stdout.
 * Input: the JSON of a SynthCompileRequest as the only argument.
 */
import { compileFile, type CompiledWorkflow } from '../../compiler/compile-file.js';
import { describeStatus, statusOf } from '../../compiler/workflow-status.js';
import { createPlaceholderNamer, type SynthCompileRequest, type SynthCompileResponse, type WorkflowTarget } from './synth-compile-protocol.js';

/**
 * Emits with a unique ARN-shaped marker per function and per nested state machine, then swaps
 * each marker for its `${...}` placeholder. The compiler validates the ASL it emits, and
 * asl-validator accepts a `${...}` Resource only with its ARN check on, which the compiler turns
 * off when given `resourceFor`: markers pass either way.
 */
async function main(request: SynthCompileRequest): Promise<SynthCompileResponse> {
  const functionName = createPlaceholderNamer('Function');
  const stateMachineName = createPlaceholderNamer('StateMachine');
  const markers = new Map<string, string>();
  const functionPlaceholders: Record<string, string> = {};
  const stateMachinePlaceholders: Record<string, WorkflowTarget> = {};
  const result = await compileFile(request.file, {
    ...request.options,
    ...(request.timeoutSeconds ? { timeoutSeconds: request.timeoutSeconds } : {}),
    // `cdk synth` never fetches: remote sources come only from the lock file and its vendored copies.
    remoteSources: 'offline',
    resourceFor: (functionKey) => {
      const name = functionName(functionKey);
      functionPlaceholders[name] = functionKey;
      const marker = `arn:aws:lambda:us-east-1:000000000000:function:arazzo-sfn-synth-${markers.size}`;
      markers.set(marker, name);
      return marker;
    },
    stateMachineArnFor: (workflowId, source) => {
      const name = stateMachineName(source ? `${source}.${workflowId}` : workflowId);
      stateMachinePlaceholders[name] = source ? { workflowId, source } : { workflowId };
      const marker = `arn:aws:states:us-east-1:000000000000:stateMachine:arazzo-sfn-synth-${markers.size}`;
      markers.set(marker, name);
      return marker;
    },
  });
  // Errors are scoped per workflow: those of the document's other workflows are reported with the warnings, and do not stop this one.
  const warnings = result.diagnostics;
  const own = result.status.filter((s) => !s.source);
  const status = request.workflowId ? statusOf(result.status, request.workflowId) : own.length === 1 ? own[0] : undefined;
  if (!own.length || (status && !status.compiled)) {
    return { ok: false, message: `${request.file} does not compile${status ? `: ${describeStatus(status)}` : ''}`, diagnostics: result.diagnostics };
  }
  const ids = own.map((s) => s.workflowId);
  const found = status && result.workflows.find((w) => w.plan.workflowId === status.workflowId);
  if (!found) {
    const message = request.workflowId
      ? `${request.file} has no workflow "${request.workflowId}" (it has ${ids.join(', ')})`
      : `${request.file} has ${ids.length} workflows (${ids.join(', ')}): say which one with workflowId`;
    return { ok: false, message, diagnostics: [] };
  }
  const used = new Set<string>();
  const definition = replaceMarkers(found.definition, markers, used);
  const workflow: CompiledWorkflow = { ...found, definition };
  // Only the placeholders of this workflow's definition: the document's other workflows were emitted too.
  const keep = <T>(map: Record<string, T>) => Object.fromEntries(Object.entries(map).filter(([name]) => used.has(name)));
  return { ok: true, workflow, warnings, functionPlaceholders: keep(functionPlaceholders), stateMachinePlaceholders: keep(stateMachinePlaceholders) };
}

function replaceMarkers<T>(value: T, markers: ReadonlyMap<string, string>, used: Set<string>): T {
  if (typeof value === 'string') {
    const name = markers.get(value);
    if (name === undefined) return value;
    used.add(name);
    return `\${${name}}` as T;
  }
  if (Array.isArray(value)) return value.map((v) => replaceMarkers(v, markers, used)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceMarkers(v, markers, used)])) as T;
  }
  return value;
}

main(JSON.parse(process.argv[2] ?? '{}') as SynthCompileRequest).then(
  (response) => {
    process.stdout.write(JSON.stringify(response));
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
