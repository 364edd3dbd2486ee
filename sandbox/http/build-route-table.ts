import type { LoadedOpenApi, OpenApiOperation } from '../../compiler/load/index.js';
import { compileRequestValidator, type RequestValidator } from './compile-request-validator.js';
import { createSchemaCompilers } from './create-schema-compilers.js';

/** One operation of one API description, ready to route to and validate against. */
export interface ApiRoute {
  /** Name of the API description the operation comes from (e.g. `pis`). */
  readonly api: string;
  readonly operationId: string;
  readonly method: string;
  readonly pathTemplate: string;
  readonly operation: OpenApiOperation;
  readonly validate: RequestValidator;
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: ApiRoute; readonly pathParams: Readonly<Record<string, string>> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' };

export interface RouteTable {
  readonly routes: readonly ApiRoute[];
  match(method: string, path: string): RouteMatch;
}

interface CompiledTemplate {
  readonly route: ApiRoute;
  readonly segments: readonly string[];
  readonly literals: number;
}

const PARAM = /^\{([^}]+)\}$/;

function splitPath(path: string): string[] {
  return path.split('/').slice(1);
}

function matchSegments(template: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const name = PARAM.exec(template[i])?.[1];
    if (name === undefined) {
      if (template[i] !== actual[i]) return undefined;
    } else {
      if (actual[i] === '') return undefined;
      try {
        params[name] = decodeURIComponent(actual[i]);
      } catch {
        return undefined;
      }
    }
  }
  return params;
}

/**
 * Routes by method and OpenAPI path template across several descriptions served from one host,
 * the way api.fintecture.com serves OAuth, PIS and Customers.
 */
export function buildRouteTable(apis: readonly { readonly name: string; readonly openapi: LoadedOpenApi }[]): RouteTable {
  const compilers = createSchemaCompilers();
  const templates: CompiledTemplate[] = [];
  for (const { name, openapi } of apis) {
    for (const operation of openapi.operations) {
      const segments = splitPath(operation.path);
      const route: ApiRoute = {
        api: name,
        operationId: operation.operationId ?? `${operation.method} ${operation.path}`,
        method: operation.method.toUpperCase(),
        pathTemplate: operation.path,
        operation,
        validate: compileRequestValidator(operation, compilers),
      };
      templates.push({ route, segments, literals: segments.filter((s) => !PARAM.test(s)).length });
    }
  }
  // A literal segment beats a template segment (`/payments/export` before `/payments/{id}`).
  templates.sort((a, b) => b.literals - a.literals);

  return {
    routes: templates.map((t) => t.route),
    match(method, path) {
      const actual = splitPath(path);
      const allow = new Set<string>();
      for (const t of templates) {
        const pathParams = matchSegments(t.segments, actual);
        if (!pathParams) continue;
        if (t.route.method === method.toUpperCase()) return { kind: 'found', route: t.route, pathParams };
        allow.add(t.route.method);
      }
      return allow.size > 0 ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' };
    },
  };
}
