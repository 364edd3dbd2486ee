// The compile API (`arazzo-sfn/compiler`): compile an Arazzo document to ASL, with its diagnostics.
export { compileFile, compileFileOrThrow, describeStatus, statusOf, type CompileFileOptions, type CompileResult, type CompiledWorkflow, type WorkflowStatus } from './compile-file.js';
export { CompileError, DiagnosticCodes, formatDiagnostic, hasErrors, type Diagnostic, type DiagnosticKind, type Severity } from './diagnostics/index.js';
export { emitAsl, type AslState, type EmitOptions, type EmittedWorkflow, type StateMachineDefinition, type TaskBinding } from './emit/index.js';
export { DEFAULT_LOOP, DEFAULT_SEAL_CONTEXT, type CompileOptions } from './plan/index.js';
export { DEFAULT_LOAD_LIMITS, loadArazzo, loadOpenApi, type LoadOptions, type RemoteSourceOptions } from './load/index.js';
export type { LoopPolicy, WorkflowPlan } from '../core/plan.js';
