import { parseExpression, type Expression } from './parse-expression.js';
import { childOf, resolveAccessors } from './resolve-accessors.js';

export interface ExpressionContext {
  url?: string;
  method?: string;
  statusCode?: number;
  request?: {
    headers: Record<string, string>;
    query: Record<string, string>;
    path: Record<string, string>;
    body?: unknown;
  };
  /** Header keys are lower-case. */
  response?: { headers: Record<string, string>; body?: unknown };
  /** The message a `receive` step received (Arazzo 1.1); header keys are lower-case. */
  message?: { headers: Record<string, string>; payload?: unknown };
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  steps: Record<string, { outputs?: Record<string, unknown> } | undefined>;
  workflows?: Record<string, { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }>;
  sourceDescriptions?: Record<string, unknown>;
  components?: Record<string, Record<string, unknown>>;
}

// Plans are evaluated over and over by a warm Lambda; parsing each text once is enough.
const PARSED_LIMIT = 1000;
const parsed = new Map<string, Expression>();

function parseCached(text: string): Expression {
  let expr = parsed.get(text);
  if (!expr) {
    expr = parseExpression(text);
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(text, expr);
  }
  return expr;
}

/** Header names are case-insensitive (RFC 9110 §5.1); the context stores them lower-cased. */
function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  const direct = childOf(headers, lower);
  if (direct !== undefined) return direct as string;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : headers[key];
}

/**
 * The value an expression designates, or undefined when it is absent (the caller decides
 * whether absence is an error). Throws ExpressionSyntaxError when given malformed text.
 */
export function evaluateExpression(expr: Expression | string, ctx: ExpressionContext): unknown {
  const e = typeof expr === 'string' ? parseCached(expr) : expr;
  switch (e.kind) {
    case 'url':
      return ctx.url;
    case 'method':
      return ctx.method;
    case 'statusCode':
      return ctx.statusCode;
    case 'requestHeader':
      return headerOf(ctx.request?.headers, e.name);
    case 'requestQuery':
      return childOf(ctx.request?.query, e.name);
    case 'requestPath':
      return childOf(ctx.request?.path, e.name);
    case 'requestBody':
      return resolveAccessors(ctx.request?.body, e.tail);
    case 'responseHeader':
      return headerOf(ctx.response?.headers, e.name);
    case 'responseBody':
      return resolveAccessors(ctx.response?.body, e.tail);
    case 'messageHeader':
      return headerOf(ctx.message?.headers, e.name);
    case 'messagePayload':
      return resolveAccessors(ctx.message?.payload, e.tail);
    case 'inputs':
      return resolveAccessors(childOf(ctx.inputs, e.name), e.tail);
    case 'outputs':
      return resolveAccessors(childOf(ctx.outputs, e.name), e.tail);
    case 'stepOutput':
      return resolveAccessors(childOf(childOf(childOf(ctx.steps, e.stepId), 'outputs'), e.name), e.tail);
    case 'workflowInput':
      return resolveAccessors(childOf(childOf(childOf(ctx.workflows, e.workflowId), 'inputs'), e.name), e.tail);
    case 'workflowOutput':
      return resolveAccessors(childOf(childOf(childOf(ctx.workflows, e.workflowId), 'outputs'), e.name), e.tail);
    case 'sourceDescription':
      return childOf(childOf(ctx.sourceDescriptions, e.name), e.reference);
    case 'component':
      return resolveAccessors(childOf(childOf(ctx.components, e.section), e.name), e.tail);
  }
}
