import { z } from 'zod';
import { sfnError } from './errors.js';

const arn = z.string().min(1).max(256);
const maxResults = z.number().int().min(0).max(1000).optional();
const nextToken = z.string().min(1).max(3096).optional();
const taskToken = z.string().min(1).max(2048);
const errorName = z.string().max(256).optional();
const cause = z.string().max(32768).optional();
const payload = z.string().max(262144);
const definition = z.string().min(1).max(1_048_576);
const roleArn = z.string().min(1).max(256);
const tagList = z.array(z.object({ key: z.string().min(1).max(128), value: z.string().max(256) })).max(50);
const versionDescription = z.string().max(256).optional();

export const ExecutionStatusValues = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

/** Request members per operation, with the service's documented constraints; unknown members are ignored. */
export const RequestSchemas = {
  CreateStateMachine: z.object({
    name: z.string().min(1).max(80),
    definition,
    roleArn,
    type: z.enum(['STANDARD', 'EXPRESS']).optional(),
    tags: tagList.optional(),
    publish: z.boolean().optional(),
    versionDescription,
  }),
  UpdateStateMachine: z.object({ stateMachineArn: arn, definition: definition.optional(), roleArn: roleArn.optional(), publish: z.boolean().optional(), versionDescription }),
  DeleteStateMachine: z.object({ stateMachineArn: arn }),
  PublishStateMachineVersion: z.object({ stateMachineArn: arn, revisionId: z.string().max(256).optional(), description: versionDescription }),
  ListStateMachineVersions: z.object({ stateMachineArn: arn, maxResults, nextToken }),
  DeleteStateMachineVersion: z.object({ stateMachineVersionArn: arn }),
  CreateStateMachineAlias: z.object({ name: z.string().min(1).max(80), description: versionDescription, routingConfiguration: z.array(z.object({ stateMachineVersionArn: arn, weight: z.number().int().min(0).max(100) })).min(1).max(2) }),
  DescribeStateMachineAlias: z.object({ stateMachineAliasArn: arn }),
  UpdateStateMachineAlias: z.object({ stateMachineAliasArn: arn, description: versionDescription, routingConfiguration: z.array(z.object({ stateMachineVersionArn: arn, weight: z.number().int().min(0).max(100) })).min(1).max(2).optional() }),
  DeleteStateMachineAlias: z.object({ stateMachineAliasArn: arn }),
  ListStateMachineAliases: z.object({ stateMachineArn: arn, maxResults, nextToken }),
  TagResource: z.object({ resourceArn: arn, tags: tagList }),
  UntagResource: z.object({ resourceArn: arn, tagKeys: z.array(z.string().min(1).max(128)).max(50) }),
  ListTagsForResource: z.object({ resourceArn: arn }),
  ValidateStateMachineDefinition: z.object({
    definition,
    type: z.enum(['STANDARD', 'EXPRESS']).optional(),
    severity: z.enum(['ERROR', 'WARNING']).optional(),
    maxResults: z.number().int().min(0).max(100).optional(),
  }),
  StartSyncExecution: z.object({ stateMachineArn: arn, name: z.string().min(1).max(80).optional(), input: payload.optional(), traceHeader: z.string().max(256).optional(), includedData: z.enum(['ALL_DATA', 'METADATA_ONLY']).optional() }),
  RedriveExecution: z.object({ executionArn: arn, clientToken: z.string().min(1).max(64).optional() }),
  TestState: z.object({
    definition,
    roleArn: roleArn.optional(),
    input: payload.optional(),
    inspectionLevel: z.enum(['INFO', 'DEBUG', 'TRACE']).optional(),
    revealSecrets: z.boolean().optional(),
    stateName: z.string().min(1).max(80).optional(),
    mock: z
      .object({
        result: payload.optional(),
        errorOutput: z.object({ error: z.string().max(256).optional(), cause: cause }).optional(),
        fieldValidationMode: z.enum(['STRICT', 'PRESENT', 'NONE']).optional(),
      })
      .optional(),
  }),
  DescribeStateMachine: z.object({ stateMachineArn: arn }),
  ListStateMachines: z.object({ maxResults, nextToken }),
  DescribeStateMachineForExecution: z.object({ executionArn: arn }),
  StartExecution: z.object({ stateMachineArn: arn, name: z.string().min(1).max(80).optional(), input: payload.optional(), traceHeader: z.string().max(256).optional() }),
  DescribeExecution: z.object({ executionArn: arn }),
  ListExecutions: z.object({
    stateMachineArn: arn.optional(),
    mapRunArn: arn.optional(),
    statusFilter: z.enum(ExecutionStatusValues).optional(),
    redriveFilter: z.enum(['REDRIVEN', 'NOT_REDRIVEN']).optional(),
    maxResults,
    nextToken,
  }),
  GetExecutionHistory: z.object({ executionArn: arn, maxResults, reverseOrder: z.boolean().optional(), nextToken, includeExecutionData: z.boolean().optional() }),
  StopExecution: z.object({ executionArn: arn, error: errorName, cause }),
  SendTaskSuccess: z.object({ taskToken, output: payload }),
  SendTaskFailure: z.object({ taskToken, error: errorName, cause }),
  SendTaskHeartbeat: z.object({ taskToken }),
} as const;

export type Operation = keyof typeof RequestSchemas;
export type RequestOf<O extends Operation> = z.infer<(typeof RequestSchemas)[O]>;

export const isOperation = (name: string): name is Operation => Object.hasOwn(RequestSchemas, name);

function constraint(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined || value === null ? 'Member must not be null' : `Member must be of type ${issue.expected}`;
    case 'too_big':
      return issue.origin === 'string' ? `Member must have length less than or equal to ${issue.maximum}` : `Member must have value less than or equal to ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'string' ? `Member must have length greater than or equal to ${issue.minimum}` : `Member must have value greater than or equal to ${issue.minimum}`;
    case 'invalid_value':
      return `Member must satisfy enum value set: [${issue.values.join(', ')}]`;
    default:
      return issue.message;
  }
}

/**
 * The service quotes the offending value; here only numbers and booleans are quoted. A string
 * member may be an execution's input, a definition or a task's output, which can hold credentials
 * (and an oversized one would be copied into logs), so its value is never echoed.
 */
const shown = (value: unknown) =>
  value === undefined || value === null ? 'null' : typeof value === 'number' || typeof value === 'boolean' ? `'${value}'` : undefined;

/** Checks a request body against the operation's members; problems come back as the service words them (ValidationException). */
export function parseRequest<O extends Operation>(operation: O, body: unknown): RequestOf<O> {
  const result = RequestSchemas[operation].safeParse(body ?? {});
  if (result.success) return result.data as RequestOf<O>;
  const issues = result.error.issues;
  const problems = issues.map((issue) => {
    const member = issue.path.join('.');
    const value = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), body);
    const quoted = shown(value);
    return `${quoted === undefined ? 'Value' : `Value ${quoted}`} at '${member}' failed to satisfy constraint: ${constraint(issue, value)}`;
  });
  throw sfnError('ValidationException', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
}
