import { FormData } from 'undici';
import { encodeXml, XmlPayloadError } from './encode-xml.js';
import { isFormMediaType, isMultipartFormMediaType, isXmlMediaType, mediaTypeOf, mediaTypeParameter } from '../../../core/media-type.js';

/**
 * How a request body payload becomes bytes, by the media type of `requestBody.contentType`:
 *
 * | media type | string payload | object payload | other values |
 * | --- | --- | --- | --- |
 * | `application/json`, `*+json` | sent as is (JSON text) | JSON | JSON |
 * | `application/x-www-form-urlencoded` | sent as is (already encoded) | pairs, see encodeForm | null: empty; others refused |
 * | `multipart/form-data` | sent as is when the content type names its boundary | parts, see encodeMultipart | null: no part; others refused |
 * | `application/xml`, `text/xml`, `*+xml` | sent as is (XML text) | XML, see encode-xml.ts | refused |
 * | `text/*` and anything else (`application/octet-stream`, ...) | sent as is | JSON | JSON |
 *
 * String payloads have had their `{$...}` templates substituted already: for XML, each substituted
 * value escaped (escapeXmlSubstitution); for JSON, form and text, as it is, so a value that may
 * hold `"` or `&` belongs in an object payload, which each encoder escapes.
 */

export class BodyEncodingError extends Error {
  constructor(
    message: string,
    /** RFC 6901 pointer into the payload, when the problem lies at one. */
    readonly pointer?: string,
  ) {
    super(message);
  }
}

export interface EncodedBody {
  readonly body: string | FormData;
  /** The Content-Type header to send; absent for multipart parts, whose boundary undici chooses. */
  readonly contentType?: string;
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const scalarText = (v: string | number | boolean): string => (typeof v === 'string' ? v : String(v));
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function describeKind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * OpenAPI's default for form bodies, `style: form, explode: true`: a scalar member is one pair,
 * an array one pair per item, and an object one pair per member of its own (`{"color":{"R":100}}`
 * gives `R=100`). OpenAPI defines nothing deeper, so deeper values are sent as JSON text; null
 * and undefined are left out, as RFC 6570 leaves out undefined values.
 */
export function encodeForm(payload: Record<string, unknown>): string {
  const form = new URLSearchParams();
  const leaf = (value: unknown) => (isScalar(value) ? scalarText(value) : JSON.stringify(value));
  const add = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) if (item !== undefined && item !== null) form.append(name, leaf(item));
    } else form.append(name, leaf(value));
  };
  for (const [name, value] of Object.entries(payload)) {
    if (!isPlainObject(value)) add(name, value);
    else for (const [member, inner] of Object.entries(value)) if (inner !== undefined && inner !== null) form.append(member, leaf(inner));
  }
  return form.toString();
}

/**
 * One part per member (one per item of an array), with OpenAPI's default part types: a string,
 * number or boolean is a text part, an object or array a JSON part (`application/json`). A JSON
 * part is a Blob, to which FormData gives the file name "blob" (RFC 7578 allows a file name on
 * any part). null and undefined members are left out.
 */
export function encodeMultipart(payload: Record<string, unknown>): FormData {
  const form = new FormData();
  const add = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (isScalar(value)) form.append(name, scalarText(value));
    else form.append(name, new Blob([JSON.stringify(value)], { type: 'application/json' }));
  };
  for (const [name, value] of Object.entries(payload)) {
    if (Array.isArray(value)) value.forEach((item) => add(name, item));
    else add(name, value);
  }
  return form;
}

/**
 * The body for `payload` sent as `contentType`, or undefined when there is nothing to send (an
 * optional payload expression with no value). Throws BodyEncodingError, whose message names
 * the kind of value and a pointer but never a value, which may be personal data.
 */
export function encodeBody(contentType: string, payload: unknown): EncodedBody | undefined {
  if (payload === undefined) return undefined;
  const type = mediaTypeOf(contentType);
  // The plan holds null for a requestBody without a payload: that is an empty form, not a mistake.
  if (payload === null && (isFormMediaType(type) || isMultipartFormMediaType(type))) payload = {};
  if (isFormMediaType(type)) {
    if (typeof payload === 'string') return { body: payload, contentType };
    if (!isPlainObject(payload)) throw new BodyEncodingError(`${type} needs an object (or encoded text), not ${describeKind(payload)}`);
    return { body: encodeForm(payload), contentType };
  }
  if (isMultipartFormMediaType(type)) {
    if (typeof payload === 'string') {
      if (mediaTypeParameter(contentType, 'boundary')) return { body: payload, contentType };
      throw new BodyEncodingError(`${type} given as text needs its boundary in the content type; give an object to have the parts built`);
    }
    if (!isPlainObject(payload)) throw new BodyEncodingError(`${type} needs an object, one part per member, not ${describeKind(payload)}`);
    return { body: encodeMultipart(payload) };
  }
  if (typeof payload === 'string') return { body: payload, contentType };
  if (isXmlMediaType(type)) {
    try {
      return { body: encodeXml(payload), contentType };
    } catch (err) {
      if (err instanceof XmlPayloadError) throw new BodyEncodingError(`${type}: ${err.message}`, err.pointer);
      throw err;
    }
  }
  return { body: JSON.stringify(payload), contentType };
}
