import { resolve } from 'node:path';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { DiagnosticCodes, type Diagnostic } from '../diagnostics/index.js';
import { encodePointer, readYamlSource, type YamlSource } from './parse-yaml-source.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: Record<string, unknown>;
  readonly style?: string;
  readonly explode?: boolean;
}

export interface OpenApiOperation {
  readonly operationId?: string;
  readonly method: string;
  readonly path: string;
  /** JSON pointer of the operation object in its source, e.g. `/paths/~1v1~1customers/post`. */
  readonly pointer: string;
  /** Path-level and operation-level parameters merged (operation wins), `$ref`s resolved. */
  readonly parameters: readonly OpenApiParameter[];
  readonly requestBody?: { readonly required?: boolean; readonly content?: Record<string, { schema?: Record<string, unknown> }> };
  readonly responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }>; headers?: Record<string, unknown> }>;
  readonly deprecated?: boolean;
}

/** An OpenAPI 3.x description with positions (`source`) and `$ref`s resolved (`document`). */
export interface LoadedOpenApi {
  readonly source: YamlSource;
  readonly document: Record<string, any>;
  readonly operations: readonly OpenApiOperation[];
  readonly serverUrl: string;
  /** Absolute paths of every file this description was read from: itself and the files its `$ref`s reach. */
  readonly files: readonly string[];
}

/** Parameters as OpenAPI allows them (a list of objects with name and in); anything else is reported, not trusted. */
function parameterList(value: unknown, where: string, problems: string[]): OpenApiParameter[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${where}: parameters must be a list`);
    return [];
  }
  return value.filter((p, i) => {
    const ok = p && typeof p === 'object' && typeof p.name === 'string' && typeof p.in === 'string';
    if (!ok) problems.push(`${where}: parameters[${i}] must be an object with name and in`);
    return ok;
  });
}

function collectOperations(document: Record<string, any>, problems: string[]): OpenApiOperation[] {
  const operations: OpenApiOperation[] = [];
  const paths = document.paths && typeof document.paths === 'object' ? document.paths : {};
  for (const [path, item] of Object.entries<Record<string, any>>(paths)) {
    if (!item || typeof item !== 'object') continue;
    const shared = parameterList(item.parameters, `paths.${path}`, problems);
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op || typeof op !== 'object') continue;
      const own = parameterList(op.parameters, `paths.${path}.${method}`, problems);
      const merged = new Map<string, OpenApiParameter>();
      for (const p of [...shared, ...own]) merged.set(`${p.in}:${p.name}`, p);
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        pointer: encodePointer(['paths', path, method]),
        parameters: [...merged.values()],
        requestBody: op.requestBody,
        responses: op.responses ?? {},
        deprecated: op.deprecated,
      });
    }
  }
  return operations;
}

/** Reads, parses and dereferences an OpenAPI description; problems come back as diagnostics. */
export async function loadOpenApi(path: string): Promise<{ openapi?: LoadedOpenApi; diagnostics: Diagnostic[] }> {
  const { source, diagnostics } = await readYamlSource(path);
  if (!source) return { diagnostics };
  const raw = source.value as Record<string, any>;
  const { code, rule } = DiagnosticCodes.openApiInvalid;
  const fail = (message: string): { diagnostics: Diagnostic[] } => ({
    diagnostics: [...diagnostics, { code, rule, severity: 'error', message, file: source.displayPath, line: 1, col: 1, pointer: '' }],
  });
  if (!raw || typeof raw !== 'object' || typeof raw.openapi !== 'string' || !/^3\.[01]\./.test(raw.openapi)) {
    return fail('not an OpenAPI 3.0/3.1 description (missing or unsupported `openapi` version)');
  }
  let document: Record<string, any>;
  const parser = new $RefParser();
  try {
    document = (await parser.dereference(path, structuredClone(raw), {
      resolve: { http: false },
      dereference: { circular: 'ignore' },
    })) as Record<string, any>;
  } catch (err) {
    return fail(`cannot resolve $ref: ${(err as Error).message}`);
  }
  const serverUrl: string = typeof document.servers?.[0]?.url === 'string' ? document.servers[0].url : '';
  const problems: string[] = [];
  const operations = collectOperations(document, problems);
  if (problems.length) return fail(`not a valid OpenAPI description: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
  const files = [...new Set([resolve(path), ...parser.$refs.paths('file').map((p) => resolve(p))])];
  return { openapi: { source, document, operations, serverUrl, files }, diagnostics };
}
