export { startLoopbackServer, type LoopbackServer, type RecordedRequest, type RouteScript, type ScriptedResponse } from './loopback-server.js';
export { compileWorkflow, compileWorkflowResult, withWorkflowFiles, type OpenApiFiles } from './compile-workflow.js';
export { runInWorkflowSet, runWorkflow, type ConstructRun, type RunWorkflowOptions } from './run-workflow.js';
export { ARAZZO_HEAD, PETS_OPENAPI } from './pets-openapi.js';
