/**
 * Arazzo 1.1 (https://spec.openapis.org/arazzo/v1.1.0.html, issue 17): which document versions
 * are accepted, and where a document uses a field or value 1.1 added. One scan of the document as
 * parsed, before the schema: a 1.0.x document may not use any of them (the schema of 1.0 did not
 * have them), and a 1.1 document is told which of them are not compiled yet.
 *
 * What is compiled of 1.1 (the version, `$self`, step `dependsOn`, AsyncAPI sources and
 * send/receive steps) is typed in arazzo-schema.ts and planned as any other field. What is not yet
 * compiled is accepted by the schema and refused here with its own code, so a 1.1 document never
 * fails with "unknown field".
 */
import { isSelectorObject } from '../../core/selectors/is-selector.js';
import type { DiagnosticKind } from '../diagnostics/index.js';

export const ARAZZO_VERSION = /^1\.([01])\.\d+(-.+)?$/;
/** The version `upgrade` writes. */
export const LATEST_ARAZZO = '1.1.0';

/** The minor version a document declares (`1.0.1` → `1.0`), or undefined for none we accept. */
export function arazzoMinor(raw: unknown): '1.0' | '1.1' | undefined {
  const version = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).arazzo : undefined;
  const match = typeof version === 'string' ? ARAZZO_VERSION.exec(version) : null;
  return match ? (`1.${match[1]}` as '1.0' | '1.1') : undefined;
}

/** A 1.1 feature a document uses. */
export type Arazzo11Feature = 'self' | 'stepDependsOn' | 'asyncapi' | 'stepTimeout' | 'selector' | 'actionParameters' | 'querystring' | 'targetSelectorType';

export interface Arazzo11Use {
  readonly feature: Arazzo11Feature;
  /** JSON pointer of the field or value. */
  readonly pointer: string;
  /** What is used, as a reader names it (`step field "channelPath"`). */
  readonly what: string;
}

/** The features a 1.1 document may use that the compiler refuses for now, with the code each is reported under and why. */
export const NOT_YET_COMPILED: Readonly<Partial<Record<Arazzo11Feature, { kind: DiagnosticKind; why: string }>>> = {
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const esc = (token: string | number) => String(token).replace(/~/g, '~0').replace(/\//g, '~1');

export { isSelectorObject };

/** Selector Objects anywhere in a value (a request body payload may hold them at any depth). */
function selectorsIn(value: unknown, pointer: string, out: Arazzo11Use[]): void {
  if (isSelectorObject(value)) {
    out.push({ feature: 'selector', pointer, what: 'a Selector Object' });
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => selectorsIn(v, `${pointer}/${i}`, out));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) selectorsIn(v, `${pointer}/${esc(k)}`, out);
}

const STEP_ASYNCAPI_FIELDS = ['channelPath', 'action', 'correlationId'] as const;

function scanParameters(parameters: unknown, pointer: string, out: Arazzo11Use[]): void {
  list(parameters).forEach((p, i) => {
    if (!isObject(p)) return;
    if (p.in === 'querystring') out.push({ feature: 'querystring', pointer: `${pointer}/${i}/in`, what: 'parameter location "querystring"' });
    if ('value' in p) selectorsIn(p.value, `${pointer}/${i}/value`, out);
  });
}

function scanActions(actions: unknown, pointer: string, out: Arazzo11Use[]): void {
  list(actions).forEach((a, i) => {
    if (isObject(a) && 'parameters' in a && !('reference' in a)) out.push({ feature: 'actionParameters', pointer: `${pointer}/${i}/parameters`, what: 'action field "parameters"' });
  });
}

function scanStep(step: Record<string, unknown>, sp: string, out: Arazzo11Use[]): void {
  for (const field of STEP_ASYNCAPI_FIELDS) if (field in step) out.push({ feature: 'asyncapi', pointer: `${sp}/${field}`, what: `step field "${field}"` });
  if ('timeout' in step) out.push({ feature: 'stepTimeout', pointer: `${sp}/timeout`, what: 'step field "timeout"' });
  if ('dependsOn' in step) out.push({ feature: 'stepDependsOn', pointer: `${sp}/dependsOn`, what: 'step field "dependsOn"' });
  scanParameters(step.parameters, `${sp}/parameters`, out);
  scanActions(step.onSuccess, `${sp}/onSuccess`, out);
  scanActions(step.onFailure, `${sp}/onFailure`, out);
  if (isObject(step.outputs)) for (const [name, v] of Object.entries(step.outputs)) selectorsIn(v, `${sp}/outputs/${esc(name)}`, out);
  const body = step.requestBody;
  if (isObject(body)) {
    if ('payload' in body) selectorsIn(body.payload, `${sp}/requestBody/payload`, out);
    list(body.replacements).forEach((r, i) => {
      if (!isObject(r)) return;
      if ('targetSelectorType' in r) out.push({ feature: 'targetSelectorType', pointer: `${sp}/requestBody/replacements/${i}/targetSelectorType`, what: 'replacement field "targetSelectorType"' });
      if ('value' in r) selectorsIn(r.value, `${sp}/requestBody/replacements/${i}/value`, out);
    });
  }
}

/**
 * Every place a document uses what Arazzo 1.1 added, in document order. Reads the document as
 * parsed (not yet through the schema): anything malformed is the schema's to report.
 */
export function findArazzo11Uses(raw: unknown): Arazzo11Use[] {
  const out: Arazzo11Use[] = [];
  if (!isObject(raw)) return out;
  if ('$self' in raw) out.push({ feature: 'self', pointer: '/$self', what: 'field "$self"' });
  list(raw.sourceDescriptions).forEach((d, i) => {
    if (isObject(d) && d.type === 'asyncapi') out.push({ feature: 'asyncapi', pointer: `/sourceDescriptions/${i}/type`, what: 'source type "asyncapi"' });
  });
  list(raw.workflows).forEach((w, wi) => {
    if (!isObject(w)) return;
    const wp = `/workflows/${wi}`;
    scanParameters(w.parameters, `${wp}/parameters`, out);
    scanActions(w.successActions, `${wp}/successActions`, out);
    scanActions(w.failureActions, `${wp}/failureActions`, out);
    list(w.steps).forEach((s, si) => {
      if (isObject(s)) scanStep(s, `${wp}/steps/${si}`, out);
    });
    if (isObject(w.outputs)) for (const [name, v] of Object.entries(w.outputs)) selectorsIn(v, `${wp}/outputs/${esc(name)}`, out);
  });
  const components = isObject(raw.components) ? raw.components : undefined;
  if (components) {
    if (isObject(components.parameters)) {
      for (const [name, p] of Object.entries(components.parameters)) scanParameters([p], `/components/parameters/${esc(name)}`, out);
    }
    for (const kind of ['successActions', 'failureActions'] as const) {
      if (!isObject(components[kind])) continue;
      for (const [name, a] of Object.entries(components[kind])) {
        if (isObject(a) && 'parameters' in a) out.push({ feature: 'actionParameters', pointer: `/components/${kind}/${esc(name)}/parameters`, what: 'action field "parameters"' });
      }
    }
  }
  // scanParameters([p], base) names the element /0: components are keyed, not listed.
  return out.map((u) => (u.pointer.startsWith('/components/parameters/') ? { ...u, pointer: u.pointer.replace(/^(\/components\/parameters\/[^/]+)\/0/, '$1') } : u));
}
