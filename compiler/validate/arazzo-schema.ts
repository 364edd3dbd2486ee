import { z } from 'zod';
import { ARAZZO_VERSION } from './arazzo-11.js';

/**
 * Arazzo 1.0.x and 1.1.x document schema (https://spec.openapis.org/arazzo/v1.0.1.html,
 * https://spec.openapis.org/arazzo/v1.1.0.html). The fields 1.1 added are optional here; a 1.0.x
 * document that uses one, and a 1.1 document that uses one not compiled yet, are reported by the
 * scan in arazzo-11.ts before this schema runs.
 * One source for both validation and the TypeScript types (`z.infer`).
 * Objects are `looseObject` where the spec allows `x-` extensions; unknown fixed fields are
 * rejected by `rejectUnknownFields` so typos (`sucessCriteria`) are reported.
 */

const extensible = <T extends z.ZodRawShape>(shape: T) =>
  z.looseObject(shape).superRefine((value, ctx) => rejectUnknownFields(value as Record<string, unknown>, Object.keys(shape), ctx));

function rejectUnknownFields(value: Record<string, unknown>, known: string[], ctx: z.RefinementCtx) {
  for (const key of Object.keys(value)) {
    if (!known.includes(key) && !key.startsWith('x-')) {
      ctx.addIssue({ code: 'custom', path: [key], message: `unknown field "${key}" (allowed: ${known.join(', ')}, or x- extensions)` });
    }
  }
}

/** Arazzo § Step/Workflow Object `outputs` and § Components Object: keys "MUST" match this. */
const KEY = /^[a-zA-Z0-9.\-_]+$/;
const key = (what: string) => z.string().regex(KEY, `${what} must match ^[a-zA-Z0-9.\\-_]+$`);
const runtimeExpression = z.string().min(1);
const anyValue = z.unknown();

/**
 * Arazzo 1.1 § Expression Type Object. Its `version` is any string here: the planner names the
 * versions a type allows (compiler/plan/plan-selectors.ts), with the document's position.
 */
export const ExpressionTypeSchema = extensible({ type: z.enum(['jsonpath', 'xpath', 'jsonpointer']), version: z.string() });

export const CriterionSchema = extensible({
  context: runtimeExpression.optional(),
  condition: z.string().min(1),
  type: z.union([z.enum(['simple', 'regex', 'jsonpath', 'xpath']), ExpressionTypeSchema]).optional(),
});

/** Arazzo 1.1 § Selector Object. Where a value may be any JSON (payloads), one is recognised by its shape (isSelectorObject). */
export const SelectorSchema = extensible({
  context: runtimeExpression,
  selector: z.string().min(1),
  // Checked by the planner (compiler/plan/plan-selectors.ts), which names the types and versions allowed.
  type: anyValue,
});

const outputValue = z.union([runtimeExpression, SelectorSchema]);

/**
 * Arazzo § Reusable Object: "This object cannot be extended with additional properties and any
 * properties added MUST be ignored": loose, and its unknown fields are not reported (the planner
 * reads `reference` and `value` only).
 */
export const ReusableSchema = z.looseObject({ reference: runtimeExpression, value: anyValue.optional() });

export const ParameterSchema = extensible({
  name: z.string().min(1),
  in: z.enum(['path', 'query', 'querystring', 'header', 'cookie']).optional(),
  value: anyValue,
});

const parameterOrReusable = z.union([ReusableSchema, ParameterSchema]);

export const SuccessActionSchema = extensible({
  name: z.string().min(1),
  type: z.enum(['end', 'goto']),
  workflowId: z.string().optional(),
  stepId: z.string().optional(),
  parameters: z.array(parameterOrReusable).optional(),
  criteria: z.array(CriterionSchema).optional(),
});

export const FailureActionSchema = extensible({
  name: z.string().min(1),
  type: z.enum(['end', 'goto', 'retry']),
  workflowId: z.string().optional(),
  stepId: z.string().optional(),
  retryAfter: z.number().nonnegative().optional(),
  retryLimit: z.number().int().nonnegative().optional(),
  parameters: z.array(parameterOrReusable).optional(),
  criteria: z.array(CriterionSchema).optional(),
});

export const RequestBodySchema = extensible({
  contentType: z.string().optional(),
  payload: anyValue.optional(),
  replacements: z
    .array(extensible({ target: z.string().min(1), targetSelectorType: anyValue.optional(), value: anyValue }))
    .optional(),
});

export const StepSchema = extensible({
  description: z.string().optional(),
  // Arazzo: the id SHOULD match [A-Za-z0-9_-]+: a warning (lint/id-pattern.ts), not a refusal.
  stepId: z.string().min(1, 'stepId must not be empty'),
  operationId: z.string().optional(),
  operationPath: z.string().optional(),
  workflowId: z.string().optional(),
  parameters: z.array(parameterOrReusable).optional(),
  requestBody: RequestBodySchema.optional(),
  successCriteria: z.array(CriterionSchema).optional(),
  onSuccess: z.array(z.union([ReusableSchema, SuccessActionSchema])).optional(),
  onFailure: z.array(z.union([ReusableSchema, FailureActionSchema])).optional(),
  outputs: z.record(key('an output name'), outputValue).optional(),
  // Arazzo 1.1.
  dependsOn: z.array(z.string().min(1)).optional(),
  timeout: z.number().int().nonnegative().optional(),
  channelPath: z.string().optional(),
  action: z.enum(['send', 'receive']).optional(),
  correlationId: z.string().optional(),
});

export const WorkflowSchema = extensible({
  workflowId: z.string().min(1, 'workflowId must not be empty'),
  summary: z.string().optional(),
  description: z.string().optional(),
  inputs: z.record(z.string(), anyValue).optional(),
  dependsOn: z.array(z.string()).optional(),
  steps: z.array(StepSchema).min(1, 'a workflow needs at least one step'),
  successActions: z.array(z.union([ReusableSchema, SuccessActionSchema])).optional(),
  failureActions: z.array(z.union([ReusableSchema, FailureActionSchema])).optional(),
  outputs: z.record(key('an output name'), outputValue).optional(),
  parameters: z.array(parameterOrReusable).optional(),
});

export const SourceDescriptionSchema = extensible({
  // SHOULD match [A-Za-z0-9_-]+: a warning (lint/id-pattern.ts), and an error only where a runtime expression must name it (lint/references.ts).
  name: z.string().min(1),
  url: z.string().min(1),
  type: z.enum(['arazzo', 'openapi', 'asyncapi']).optional(),
});

export const ArazzoDocumentSchema = extensible({
  arazzo: z.string().regex(ARAZZO_VERSION, 'arazzo must be a 1.0.x or 1.1.x version'),
  // Arazzo 1.1: the document's own URI, its base URI for relative references (no fragment).
  $self: z.string().min(1).optional(),
  info: extensible({
    title: z.string(),
    summary: z.string().optional(),
    description: z.string().optional(),
    version: z.string(),
  }),
  sourceDescriptions: z.array(SourceDescriptionSchema).min(1, 'at least one source description is required'),
  workflows: z.array(WorkflowSchema).min(1, 'at least one workflow is required'),
  components: extensible({
    inputs: z.record(key('a components key'), anyValue).optional(),
    parameters: z.record(key('a components key'), ParameterSchema).optional(),
    successActions: z.record(key('a components key'), SuccessActionSchema).optional(),
    failureActions: z.record(key('a components key'), FailureActionSchema).optional(),
  }).optional(),
});

export type ArazzoDocument = z.infer<typeof ArazzoDocumentSchema>;
export type ArazzoWorkflow = z.infer<typeof WorkflowSchema>;
export type ArazzoStep = z.infer<typeof StepSchema>;
export type ArazzoCriterion = z.infer<typeof CriterionSchema>;
export type ArazzoParameter = z.infer<typeof ParameterSchema>;
export type ArazzoReusable = z.infer<typeof ReusableSchema>;
export type ArazzoSelector = z.infer<typeof SelectorSchema>;
export type ArazzoExpressionType = z.infer<typeof ExpressionTypeSchema>;
export type ArazzoSuccessAction = z.infer<typeof SuccessActionSchema>;
export type ArazzoFailureAction = z.infer<typeof FailureActionSchema>;
