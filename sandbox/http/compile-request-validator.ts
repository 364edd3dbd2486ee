import type { IncomingHttpHeaders } from 'node:http';
import { DOMParser } from '@xmldom/xmldom';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { OpenApiOperation, OpenApiParameter } from '../../compiler/load/index.js';
import type { Problem } from './problem.js';
import type { SchemaCompilers } from './create-schema-compilers.js';
import { MultipartSyntaxError, parseMultipartFormData } from './read-request-body.js';

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
const MULTIPART = 'multipart/form-data';

function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function isXml(mediaType: string): boolean {
  return mediaType === 'application/xml' || mediaType === 'text/xml' || mediaType.endsWith('+xml');
}

/** Bodies read as text; any other media type (`application/octet-stream`, `image/png`, ...) is handed over as bytes. */
function isText(mediaType: string): boolean {
  return mediaType.startsWith('text/') || isXml(mediaType);
}

/** The `boundary` parameter of a multipart Content-Type, unquoted. */
function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
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

type ParsedBody = { value: unknown; validate: boolean } | { problem: Problem };

/** Repeated names become an array only where the schema wants one, as for form bodies. */
function collectRepeated(entries: readonly [string, unknown][], schema: Schema | undefined): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    if (propertyTypeIncludes(schema, key, 'array')) ((value[key] ??= []) as unknown[]).push(item);
    else if (!(key in value)) value[key] = item;
  }
  return value;
}

/**
 * RFC 7578 parts by name: a JSON part is parsed, any other part is text (OpenAPI's default
 * `text/plain` for scalar properties; file contents too, which the simulators only inspect).
 */
function parseMultipart(raw: Buffer, contentType: string | undefined, schema: Schema | undefined): ParsedBody {
  let parts;
  try {
    parts = parseMultipartFormData(raw, boundaryOf(contentType) ?? '');
  } catch (err) {
    if (!(err instanceof MultipartSyntaxError)) throw err;
    return { problem: { code: 'invalid_multipart', title: 'Malformed multipart body', detail: err.message } };
  }
  const entries: [string, unknown][] = [];
  for (const part of parts) {
    const text = part.data.toString('utf8');
    if (part.contentType && isJson(part.contentType.split(';')[0].trim().toLowerCase())) {
      try {
        entries.push([part.name, JSON.parse(text)]);
      } catch (err) {
        return { problem: { code: 'invalid_json', title: 'Malformed JSON part', detail: `part '${part.name}': ${(err as Error).message}`, source: { pointer: `/${part.name.replace(/~/g, '~0').replace(/\//g, '~1')}` } } };
      }
    } else entries.push([part.name, text]);
  }
  return { value: collectRepeated(entries, schema), validate: true };
}

/**
 * An XML body is kept as text for the handler. It must be well-formed, and its root element
 * must carry the schema's `xml.name` when the schema gives one; OpenAPI's XML mapping of the
 * rest of the schema (attributes, wrapped arrays) is not checked.
 */
function checkXml(text: string, schema: Schema | undefined): Problem | undefined {
  let root: { nodeName?: string; localName?: string | null } | null | undefined;
  try {
    root = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(text, 'text/xml').documentElement;
  } catch (err) {
    return { code: 'invalid_xml', title: 'Malformed XML body', detail: (err as Error).message.replace(/^.*caused Error: /s, '') };
  }
  const expected = (schema?.xml as { name?: unknown } | undefined)?.name;
  if (typeof expected === 'string' && root?.localName !== expected && root?.nodeName !== expected) {
    return { code: 'invalid_field', title: 'Invalid field', detail: `the root element is '${root?.nodeName}', expected '${expected}'`, source: { pointer: '/' } };
  }
  return undefined;
}

/** A text body is validated when its schema describes a string; an object schema describes some other rendering. */
function describesText(schema: Schema | undefined): boolean {
  const type = schema?.type;
  return type === undefined || type === 'string' || (Array.isArray(type) && type.includes('string'));
}

function parseBody(mediaType: string, raw: Buffer, contentType: string | undefined, schema: Schema | undefined): ParsedBody {
  const text = raw.toString('utf8');
  if (isJson(mediaType)) {
    try {
      return { value: JSON.parse(text), validate: true };
    } catch (err) {
      return { problem: { code: 'invalid_json', title: 'Malformed JSON body', detail: (err as Error).message } };
    }
  }
  if (mediaType === FORM) {
    const params = new URLSearchParams(text);
    return { value: collectRepeated([...params.entries()], schema), validate: true };
  }
  if (mediaType === MULTIPART) return parseMultipart(raw, contentType, schema);
  if (isXml(mediaType)) {
    const problem = checkXml(text, schema);
    return problem ? { problem } : { value: text, validate: describesText(schema) };
  }
  if (isText(mediaType)) return { value: text, validate: describesText(schema) };
  // Bytes (`format: binary`, `contentMediaType`): nothing JSON Schema can say about them here.
  return { value: raw, validate: false };
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
        const parsed = parseBody(sent!, input.rawBody, input.headers['content-type'], validator.schema);
        if ('problem' in parsed) problems.push(parsed.problem);
        else if (parsed.validate && !validator.validate(parsed.value)) problems.push(...bodyProblems(validator.validate.errors ?? []));
        else body = parsed.value;
      }
    } else if (bodyRequired) {
      problems.push({ code: 'missing_body', title: 'Missing request body', detail: 'this operation requires a request body' });
    }

    if (problems.length > 0) return { ok: false, status: 400, problems };
    return { ok: true, value: { path: values.path ?? {}, query: values.query ?? {}, headers: values.header ?? {}, body, mediaType } };
  };
}
