// The package's main entry (`import { ArazzoWorkflow } from 'arazzo-sfn'`): the construct and its props, nothing else.
export { ArazzoWorkflow, ArazzoSigningKey, type ArazzoWorkflowProps, type ArazzoSecret, type ArazzoEventTrigger, type ArazzoSigningKeyOptions } from './arazzo-workflow.js';
