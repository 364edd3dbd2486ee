import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { OpenApiOperation, OpenApiParameter } from '../../infra/compiler/load/index.js';
import type { Problem } from './problem.js';
import type { SchemaCompilers } from './create-schema-compilers.js';

/** A request after validation: parameters coerced to their schema types, body parsed. */
export interface ValidatedRequest {
  readonly path: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  /** Keyed by lower-case header name. */
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  /** The declared media type the body was read as. */
  readonly mediaType?: string;
}

export interface RequestInput {
  readonly pathParams: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
}

export type ValidationResult =
  | { readonly ok: true; readonly value: ValidatedRequest }
  | { readonly ok: false; readonly status: 400 | 415; readonly problems: readonly Problem[] };

export type RequestValidator = (input: RequestInput) => ValidationResult;

type Schema = Record<string, unknown>;
type Location = 'path' | 'query' | 'header';

// OpenAPI: header parameters with these names are ignored (they belong to content negotiation and security schemes).
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

const FORM = 'application/x-www-form-urlencoded';

function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function declaredMediaType(declared: readonly string[], sent: string): string | undefined {
  const lower = declared.map((d) => d.toLowerCase());
  const candidates = [sent, `${sent.split('/')[0]}/*`, '*/*'];
  for (const candidate of candidates) {
    const i = lower.indexOf(candidate);
    if (i >= 0) return declared[i];
  }
  return undefined;
}

function propertyTypeIncludes(schema: Schema | undefined, key: string, type: string): boolean {
  const property = (schema?.properties as Record<string, Schema> | undefined)?.[key];
  const declared = property?.type;
  return declared === type || (Array.isArray(declared) && declared.includes(type));
}

function firstSegment(instancePath: string): string {
  return (instancePath.split('/')[1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
}

function describe(error: ErrorObject): string {
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  return allowed ? `${error.message}: ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : (error.message ?? 'is invalid');
}

function parameterProblems(location: Location, errors: readonly ErrorObject[], names: ReadonlyMap<string, string>): Problem[] {
  return errors.map((error) => {
    const missing = (error.params as { missingProperty?: string }).missingProperty;
    const key = error.keyword === 'required' && missing ? missing : firstSegment(error.instancePath);
    const name = names.get(key) ?? key;
    return error.keyword === 'required'
      ? { code: 'missing_parameter', title: 'Missing parameter', detail: `${location} parameter '${name}' is required`, source: { parameter: name } }
      : { code: 'invalid_parameter', title: 'Invalid parameter', detail: `${location} parameter '${name}' ${describe(error)}`, source: { parameter: name } };
  });
}

function bodyProblems(errors: readonly ErrorObject[]): Problem[] {
  return errors.map((error) => {
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    const leaf = params.missingProperty ?? params.additionalProperty;
    const pointer = leaf === undefined ? error.instancePath : `${error.instancePath}/${leaf.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const missing = error.keyword === 'required';
    return {
      code: missing ? 'missing_field' : 'invalid_field',
      title: missing ? 'Missing field' : 'Invalid field',
      detail: missing ? `'${pointer}' is required` : `'${pointer || '/'}' ${describe(error)}`,
      source: { pointer },
    };
  });
}

interface ParameterGroup {
  readonly location: Location;
  readonly validate: ValidateFunction;
  /** Data key (lower-case for headers) -> declared name, for messages. */
  readonly names: ReadonlyMap<string, string>;
  readonly parameters: readonly OpenApiParameter[];
}

function compileParameterGroup(location: Location, all: readonly OpenApiParameter[], compilers: SchemaCompilers): ParameterGroup {
  const parameters = all.filter((p) => p.in === location && !(location === 'header' && IGNORED_HEADERS.has(p.name.toLowerCase())));
  const keyOf = (p: OpenApiParameter) => (location === 'header' ? p.name.toLowerCase() : p.name);
  const schema = {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [keyOf(p), p.schema ?? {}])),
    required: parameters.filter((p) => p.required || location === 'path').map(keyOf),
  };
  return {
    location,
    validate: compilers.coercing.compile(schema),
    names: new Map(parameters.map((p) => [keyOf(p), p.name])),
    parameters,
  };
}

function collectParameters(group: ParameterGroup, input: RequestInput): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const p of group.parameters) {
    if (group.location === 'path') {
      if (p.name in input.pathParams) data[p.name] = input.pathParams[p.name];
    } else if (group.location === 'query') {
      const values = input.query.getAll(p.name);
      const isArray = p.schema?.type === 'array';
      if (values.length > 0) data[p.name] = isArray ? (p.explode === false ? values.flatMap((v) => v.split(',')) : values) : values[0];
    } else {
      const value = input.headers[p.name.toLowerCase()];
      if (value !== undefined) data[p.name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return data;
}

interface BodyValidator {
  readonly validate: ValidateFunction;
  readonly schema?: Schema;
}

function parseBody(mediaType: string, raw: Buffer, schema: Schema | undefined): { value: unknown } | { problem: Problem } {
  const text = raw.toString('utf8');
  if (isJson(mediaType)) {
    try {
      return { value: JSON.parse(text) };
    } catch (err) {
      return { problem: { code: 'invalid_json', title: 'Malformed JSON body', detail: (err as Error).message } };
    }
  }
  if (mediaType === FORM) {
    const params = new URLSearchParams(text);
    const value: Record<string, unknown> = {};
    for (const key of new Set(params.keys())) {
      value[key] = propertyTypeIncludes(schema, key, 'array') ? params.getAll(key) : params.get(key);
    }
    return { value };
  }
  return { value: text };
}

/** Compiles, once per operation, a check of a request against the operation's parameters and request body. */
export function compileRequestValidator(operation: OpenApiOperation, compilers: SchemaCompilers): RequestValidator {
  const groups = (['path', 'query', 'header'] as const).map((location) => compileParameterGroup(location, operation.parameters, compilers));
  const content = operation.requestBody?.content ?? {};
  const bodies = new Map<string, BodyValidator>(
    Object.entries(content).map(([mediaType, media]) => {
      const schema = media.schema as Schema | undefined;
      const compiler = isJson(mediaType.toLowerCase()) ? compilers.strict : compilers.coercing;
      return [mediaType, { validate: compiler.compile(schema ?? {}), schema }];
    }),
  );
  const bodyRequired = operation.requestBody?.required === true;

  return (input) => {
    const problems: Problem[] = [];
    const values: Partial<Record<Location, Record<string, unknown>>> = {};
    for (const group of groups) {
      const data = collectParameters(group, input);
      if (!group.validate(data)) problems.push(...parameterProblems(group.location, group.validate.errors ?? [], group.names));
      values[group.location] = data;
    }

    let body: unknown;
    let mediaType: string | undefined;
    const sent = mediaTypeOf(input.headers['content-type']);
    const hasBody = input.rawBody.length > 0;
    if (bodies.size > 0 && (hasBody || sent)) {
      mediaType = sent ? declaredMediaType([...bodies.keys()], sent) : undefined;
      if (!mediaType) {
        const detail = `Content-Type '${sent ?? '(none)'}' is not accepted; send ${[...bodies.keys()].join(' or ')}`;
        return { ok: false, status: 415, problems: [{ code: 'unsupported_media_type', title: 'Unsupported media type', detail }] };
      }
      const validator = bodies.get(mediaType)!;
      if (!hasBody && bodyRequired) {
        problems.push({ code: 'missing_body', title: 'Missing request body', detail: 'this operation requires a request body' });
      } else if (hasBody) {
        const parsed = parseBody(mediaType.toLowerCase(), input.rawBody, validator.schema);
        if ('problem' in parsed) problems.push(parsed.problem);
        else if (!validator.validate(parsed.value)) problems.push(...bodyProblems(validator.validate.errors ?? []));
        else body = parsed.value;
      }
    } else if (bodyRequired) {
      problems.push({ code: 'missing_body', title: 'Missing request body', detail: 'this operation requires a request body' });
    }

    if (problems.length > 0) return { ok: false, status: 400, problems };
    return { ok: true, value: { path: values.path ?? {}, query: values.query ?? {}, headers: values.header ?? {}, body, mediaType } };
  };
}
