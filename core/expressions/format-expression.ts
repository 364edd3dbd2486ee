import type { Accessor, Expression } from './parse-expression.js';
import { toPointer } from '../json-pointer.js';


function formatTail(tail: readonly Accessor[]): string {
  return tail
    .map((accessor) => {
      switch (accessor.kind) {
        case 'property':
          return `.${accessor.name}`;
        case 'index':
          return `[${accessor.index}]`;
        case 'pointer':
          return `#${toPointer(accessor.tokens)}`;
      }
    })
    .join('');
}

/** Canonical text of an expression; `parseExpression(formatExpression(e))` yields `e` again. */
export function formatExpression(expr: Expression): string {
  switch (expr.kind) {
    case 'url':
      return '$url';
    case 'method':
      return '$method';
    case 'statusCode':
      return '$statusCode';
    case 'requestHeader':
      return `$request.header.${expr.name}`;
    case 'requestQuery':
      return `$request.query.${expr.name}`;
    case 'requestPath':
      return `$request.path.${expr.name}`;
    case 'requestBody':
      return `$request.body${formatTail(expr.tail)}`;
    case 'responseHeader':
      return `$response.header.${expr.name}`;
    case 'responseBody':
      return `$response.body${formatTail(expr.tail)}`;
    case 'messageHeader':
      return `$message.header.${expr.name}`;
    case 'messagePayload':
      return `$message.payload${formatTail(expr.tail)}`;
    case 'inputs':
      return `$inputs.${expr.name}${formatTail(expr.tail)}`;
    case 'outputs':
      return `$outputs.${expr.name}${formatTail(expr.tail)}`;
    case 'stepOutput':
      return `$steps.${expr.stepId}.outputs.${expr.name}${formatTail(expr.tail)}`;
    case 'workflowInput':
      return `$workflows.${expr.workflowId}.inputs.${expr.name}${formatTail(expr.tail)}`;
    case 'workflowOutput':
      return `$workflows.${expr.workflowId}.outputs.${expr.name}${formatTail(expr.tail)}`;
    case 'sourceDescription':
      return `$sourceDescriptions.${expr.name}.${expr.reference}`;
    case 'component':
      return `$components.${expr.section}.${expr.name}${formatTail(expr.tail)}`;
  }
}
