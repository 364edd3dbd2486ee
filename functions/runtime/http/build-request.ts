import type { FormData } from 'undici';
import { expressionError } from '../../../core/errors.js';
import type { StepPlan } from '../../../core/plan.js';
import { BodyEncodingError, encodeBody } from './encode-body.js';
import { isXmlMediaType, mediaTypeOf } from '../../../core/media-type.js';
import { unescapePointerToken } from '../../../core/json-pointer.js';
import { querystringMismatch } from '../../../core/querystring-media.js';

export interface BuiltRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** Text, or multipart parts that undici serialises with a boundary of its choosing (and the Content-Type naming it). */
  readonly body?: string | FormData;
  /** What `$request.*` expressions read after the call. */
  readonly parts: { headers: Record<string, string>; query: Record<string, string>; path: Record<string, string>; body?: unknown };
}

export interface EvaluatedParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'querystring' | 'header' | 'cookie';
  readonly contentType?: string;
  readonly value: unknown;
}

const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Whether a `querystring` parameter's media type is form pairs (the default), sent as written, rather than one value percent-encoded whole. */
export const isFormQuerystring = (contentType: string | undefined) => contentType === undefined || mediaTypeOf(contentType) === 'application/x-www-form-urlencoded';

/** A form query string as written, with only what a URL query cannot hold percent-encoded (RFC 3986 §3.4; a valid %XX escape kept). */
const FORM_QUERY_UNSAFE = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu;
const asFormQuery = (text: string) => text.replace(/^\?/, '').replace(FORM_QUERY_UNSAFE, (c) => encodeURIComponent(c));

/** A header value that could split the header block is refused rather than sent. */
function checkHeaderValue(name: string, value: string) {
  if (/[\r\n\0]/.test(value)) throw expressionError(`header "${name}" would contain a line break; refusing to send it`);
}

/** RFC 6901 pointer write, used by `requestBody.replacements`. */
export function setAtPointer(target: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '' || pointer === '/') return value;
  const segments = pointer.replace(/^#/, '').split('/').slice(1).map(unescapePointerToken);
  const root = structuredClone(target ?? {}) as Record<string, unknown>;
  let node: any = root;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const key = Array.isArray(node) ? (segment === '-' ? node.length : Number(segment)) : segment;
    if (last) node[key] = value;
    else {
      if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = /^\d+$/.test(segments[i + 1]) ? [] : {};
      node = node[key];
    }
  });
  return root;
}

// A step that reads its response with XPath, or speaks XML, asks for XML from servers that negotiate.
const XML_ACCEPT = 'application/xml, text/xml;q=0.9, */*;q=0.8';

function expectsXml(plan: StepPlan): boolean {
  const criteria = [...plan.successCriteria, ...plan.onSuccess.flatMap((a) => a.criteria), ...plan.onFailure.flatMap((a) => a.criteria)];
  return criteria.some((c) => c.type === 'xpath') || (plan.requestBody !== undefined && isXmlMediaType(mediaTypeOf(plan.requestBody.contentType)));
}

/**
 * Builds the HTTP request of a step from its plan and its already-evaluated parameters and
 * payload: path parameters substituted, query string, headers, body encoded by content type.
 */
export function buildRequest(
  plan: StepPlan,
  serverUrl: string,
  parameters: readonly EvaluatedParameter[],
  payload: unknown,
): BuiltRequest {
  const { operation } = plan;
  const path: Record<string, string> = {};
  const query: Record<string, string> = {};
  const headers: Record<string, string> = {};
  const search = new URLSearchParams();
  const cookies: string[] = [];
  let wholeQuery: string | undefined;

  for (const p of parameters) {
    if (p.value === undefined || p.value === null) {
      const declared = operation.parameters.find((d) => d.in === p.in && d.name.toLowerCase() === p.name.toLowerCase());
      if (declared?.required || p.in === 'path') throw expressionError(`step ${plan.stepId}: required ${p.in} parameter "${p.name}" evaluated to no value`);
      continue;
    }
    switch (p.in) {
      case 'path':
        path[p.name] = asText(p.value);
        break;
      case 'query':
        if (Array.isArray(p.value)) p.value.forEach((v) => search.append(p.name, asText(v)));
        else search.append(p.name, asText(p.value));
        query[p.name] = asText(p.value);
        break;
      case 'header': {
        const value = asText(p.value);
        checkHeaderValue(p.name, value);
        headers[p.name.toLowerCase()] = value;
        break;
      }
      case 'querystring': {
        // Arazzo 1.1: the value "MUST resolve to a string representing the complete query string".
        if (typeof p.value !== 'string') throw expressionError(`step ${plan.stepId}: querystring parameter "${p.name}" evaluated to a ${Array.isArray(p.value) ? 'list' : typeof p.value}, not the query string`);
        // ... and "MUST match the media type format" of its `content`: a value that does not is never sent.
        const mismatch = querystringMismatch(p.contentType, p.value);
        if (mismatch) throw expressionError(`step ${plan.stepId}: querystring parameter "${p.name}" ${mismatch}; the request was not sent`);
        wholeQuery = isFormQuerystring(p.contentType) ? asFormQuery(p.value) : encodeURIComponent(p.value);
        if (isFormQuerystring(p.contentType)) for (const [k, v] of new URLSearchParams(wholeQuery)) query[k] = v;
        break;
      }
      case 'cookie':
        cookies.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(asText(p.value))}`);
        break;
    }
  }
  if (cookies.length) headers.cookie = cookies.join('; ');

  const resolvedPath = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = path[name];
    if (value === undefined) throw expressionError(`step ${plan.stepId}: path parameter "${name}" has no value`);
    // encodeURIComponent keeps "." and "..", which URL parsing would collapse into another resource.
    if (value === '.' || value === '..' || value === '') throw expressionError(`step ${plan.stepId}: path parameter "${name}" is empty, "." or "..", which would change the path`);
    return encodeURIComponent(value);
  });
  // A querystring parameter is the query; anything else in the query (an API key from x-security) follows it.
  const qs = [wholeQuery, search.toString()].filter(Boolean).join('&');
  const url = serverUrl.replace(/\/+$/, '') + resolvedPath + (qs ? `?${qs}` : '');

  let body: string | FormData | undefined;
  if (plan.requestBody) {
    try {
      const encoded = encodeBody(plan.requestBody.contentType, payload);
      body = encoded?.body;
      if (encoded?.contentType) headers['content-type'] = encoded.contentType;
      // A Content-Type without the boundary undici picks would make the parts unreadable.
      else if (encoded) delete headers['content-type'];
    } catch (err) {
      if (!(err instanceof BodyEncodingError)) throw err;
      throw expressionError(`step ${plan.stepId} request body: ${err.message}${err.pointer ? ` (at ${err.pointer})` : ''}`, { cause: err });
    }
  }
  if (!headers.accept) headers.accept = expectsXml(plan) ? XML_ACCEPT : 'application/json';
  return { method: operation.method, url, headers, ...(body !== undefined ? { body } : {}), parts: { headers, query, path, body: payload } };
}
