// The package's main entry (`import { ArazzoWorkflow } from 'arazzo-sfn'`): the construct and its props, nothing else.
export { ArazzoWorkflow, type ArazzoWorkflowProps, type ArazzoSecret, type ArazzoEventTrigger } from './arazzo-workflow.js';
