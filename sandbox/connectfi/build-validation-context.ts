import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { createSchemaCompilers, type ApiRoute, type Problem, type RouteTable } from '../http/index.js';

/** One entry of a `requestValidateError`'s `context`: an AJV error, as connectFi returns them. */
export interface ValidationProblem {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message: string;
}

export type ValidationContextBuilder = (route: ApiRoute, rawBody: Buffer, problems: readonly Problem[]) => ValidationProblem[];

const fromAjv = (e: ErrorObject): ValidationProblem => ({
  instancePath: e.instancePath,
  schemaPath: e.schemaPath,
  keyword: e.keyword,
  params: e.params,
  message: e.message ?? 'is invalid',
});

/** A problem the body schema cannot state (broken JSON, a bad header) in the same shape. */
const fromProblem = (p: Problem): ValidationProblem => ({
  instancePath: p.source?.pointer ?? '',
  schemaPath: '#',
  keyword: p.code,
  params: p.source?.parameter !== undefined ? { parameter: p.source.parameter } : {},
  message: p.detail ?? p.title,
});

/**
 * connectFi validates a body with AJV and returns AJV's own errors. The shared validator says
 * whether a request is valid; this re-runs the operation's JSON body schema alone, so that
 * `instancePath` and `schemaPath` are relative to the body, as in connectFi's answers.
 */
export function createValidationContextBuilder(routes: RouteTable): ValidationContextBuilder {
  const { strict } = createSchemaCompilers();
  const bodyChecks = new Map<string, ValidateFunction>();
  for (const route of routes.routes) {
    const schema = route.operation.requestBody?.content?.['application/json']?.schema;
    if (schema) bodyChecks.set(route.operationId, strict.compile(schema));
  }
  return (route, rawBody, problems) => {
    const check = bodyChecks.get(route.operationId);
    const text = rawBody.toString('utf8');
    let body: unknown;
    try {
      // Express's JSON body parser leaves an empty body as `{}`: a missing body reads as missing properties.
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      return problems.map(fromProblem);
    }
    if (!check || check(body)) return problems.map(fromProblem);
    const parameterProblems = problems.filter((p) => p.source?.parameter !== undefined);
    return [...parameterProblems.map(fromProblem), ...(check.errors ?? []).map(fromAjv)];
  };
}
