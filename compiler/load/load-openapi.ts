import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/index.js';
import { createDocumentReader, type DocumentReader } from './document-reader.js';
import { encodePointer, type YamlSource } from './parse-yaml-source.js';
import { readDescription } from './dereference-description.js';
import type { ExternalRef } from './read-ref-targets.js';
import { resolveServerUrl } from './resolve-server-url.js';

/** The fixed fields of a Path Item that are operations (`query` since OpenAPI 3.2, which also allows `additionalOperations`). */
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'query'] as const;

export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'querystring' | 'header' | 'cookie';
  readonly required?: boolean;
  /** OpenAPI 3.2: a `querystring` parameter's media type (its one key). */
  readonly content?: Record<string, unknown>;
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
  /** The first server's URL, its `{variables}` replaced by their declared defaults ('' when there is none). */
  readonly serverUrl: string;
  /** Absolute paths of every file this description was read from: itself and the files its `$ref`s reach. */
  readonly files: readonly string[];
  /** Every `$ref` to another file, where it is written (the lint checks where they lead). */
  readonly externalRefs: readonly ExternalRef[];
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
    const additional = item.additionalOperations && typeof item.additionalOperations === 'object' ? Object.keys(item.additionalOperations) : [];
    for (const method of [...HTTP_METHODS, ...additional]) {
      const fixed = (HTTP_METHODS as readonly string[]).includes(method);
      const op = fixed ? item[method] : item.additionalOperations[method];
      if (!op || typeof op !== 'object') continue;
      const own = parameterList(op.parameters, `paths.${path}.${method}`, problems);
      const merged = new Map<string, OpenApiParameter>();
      for (const p of [...shared, ...own]) merged.set(`${p.in}:${p.name}`, p);
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        pointer: encodePointer(fixed ? ['paths', path, method] : ['paths', path, 'additionalOperations', method]),
        parameters: [...merged.values()],
        requestBody: op.requestBody,
        responses: op.responses ?? {},
        deprecated: op.deprecated,
      });
    }
  }
  return operations;
}

/**
 * Reads, parses and dereferences an OpenAPI description; problems come back as diagnostics. Every
 * file it reads (itself and each `$ref` target) goes through `reader`, under one document's load
 * limits; the `$ref` resolver reads nothing else.
 */
export async function loadOpenApi(path: string, reader: DocumentReader = createDocumentReader()): Promise<{ openapi?: LoadedOpenApi; diagnostics: Diagnostic[] }> {
  const read = await readDescription(
    path,
    reader,
    'openApiInvalid',
    (raw) => typeof raw.openapi === 'string' && /^3\.[0-2]\./.test(raw.openapi),
    'not an OpenAPI 3.0/3.1/3.2 description (missing or unsupported `openapi` version)',
  );
  if (!('document' in read)) return read;
  const { source, document, targets, diagnostics, fail } = read;
  const server = resolveServerUrl(source, document);
  diagnostics.push(...server.diagnostics);
  // A relative server URL of a fetched description is relative to where it was fetched from.
  const origin = reader.remoteOrigins.get(resolve(path));
  const serverUrl = origin && server.url && !/^[a-z][a-z0-9+.-]*:/i.test(server.url) ? new URL(server.url, origin).href.replace(/\/$/, '') : server.url;
  const problems: string[] = [];
  const operations = collectOperations(document, problems);
  if (problems.length) return fail(`not a valid OpenAPI description: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
  if (server.diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const files = [...new Set([resolve(path), ...targets.sources.keys()])];
  return { openapi: { source, document, operations, serverUrl, files, externalRefs: targets.refs }, diagnostics };
}
