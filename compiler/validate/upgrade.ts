import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { isGoessnerFilterCondition } from '../../core/criteria/goessner-jsonpath.js';
import { arazzoMinor, isSelectorObject, LATEST_ARAZZO } from './arazzo-11.js';

/**
 * `arazzo-sfn upgrade`: rewrites an Arazzo 1.0.x document to 1.1.0 where the meaning is
 * unchanged, editing only the text of the values it changes (comments and layout stay), and says what
 * it changed. What would change meaning is refused, at its place:
 * - `arazzo: 1.0.x` becomes `1.1.0`;
 * - a criterion `type: jsonpath` meant draft-goessner-dispatch-jsonpath-00 in 1.0.x (the only
 *   JSONPath version 1.0.1 names) and means RFC 9535 in 1.1: it becomes the Expression Type
 *   Object `{ type: jsonpath, version: draft-goessner-dispatch-jsonpath-00 }`;
 * - XPath keeps its default (1.0.1 already names XPath 3.1), every other criterion type is the same;
 * - an object value shaped like a Selector Object (`context`, `selector`, `type`) in a parameter
 *   value, request body payload or replacement value is a literal in 1.0.x and a Selector in 1.1:
 *   refused (write it differently first).
 */

export interface UpgradeResult {
  /** The rewritten document; undefined when it is refused or is not 1.0.x. */
  readonly text?: string;
  /** What changed, one line each (JSON pointer: what). */
  readonly changes: readonly string[];
  /** Why the document cannot be upgraded unchanged in meaning (JSON pointer: why). */
  readonly refusals: readonly string[];
}

const LEGACY_JSONPATH = 'draft-goessner-dispatch-jsonpath-00';
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** JSON pointers of every criterion list in a document (steps, actions, components). */
function criterionLists(raw: Record<string, unknown>): [string, unknown[]][] {
  const out: [string, unknown[]][] = [];
  const actions = (value: unknown, pointer: string) =>
    list(value).forEach((a, i) => {
      if (isObject(a) && Array.isArray(a.criteria)) out.push([`${pointer}/${i}/criteria`, a.criteria]);
    });
  list(raw.workflows).forEach((w, wi) => {
    if (!isObject(w)) return;
    const wp = `/workflows/${wi}`;
    actions(w.successActions, `${wp}/successActions`);
    actions(w.failureActions, `${wp}/failureActions`);
    list(w.steps).forEach((s, si) => {
      if (!isObject(s)) return;
      const sp = `${wp}/steps/${si}`;
      if (Array.isArray(s.successCriteria)) out.push([`${sp}/successCriteria`, s.successCriteria]);
      actions(s.onSuccess, `${sp}/onSuccess`);
      actions(s.onFailure, `${sp}/onFailure`);
    });
  });
  const components = isObject(raw.components) ? raw.components : {};
  for (const kind of ['successActions', 'failureActions'] as const) {
    if (!isObject(components[kind])) continue;
    for (const [name, a] of Object.entries(components[kind])) {
      if (isObject(a) && Array.isArray(a.criteria)) out.push([`/components/${kind}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}/criteria`, a.criteria]);
    }
  }
  return out;
}

/** Selector-shaped values that 1.1 would read as Selector Objects. */
function selectorShaped(raw: Record<string, unknown>): string[] {
  const found: string[] = [];
  const walk = (value: unknown, pointer: string) => {
    if (isSelectorObject(value)) return void found.push(pointer);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${pointer}/${i}`));
    else if (isObject(value)) for (const [k, v] of Object.entries(value)) walk(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  const parameters = (value: unknown, pointer: string) => list(value).forEach((p, i) => isObject(p) && walk(p.value, `${pointer}/${i}/value`));
  list(raw.workflows).forEach((w, wi) => {
    if (!isObject(w)) return;
    parameters(w.parameters, `/workflows/${wi}/parameters`);
    list(w.steps).forEach((s, si) => {
      if (!isObject(s)) return;
      const sp = `/workflows/${wi}/steps/${si}`;
      parameters(s.parameters, `${sp}/parameters`);
      if (isObject(s.requestBody)) {
        walk(s.requestBody.payload, `${sp}/requestBody/payload`);
        list(s.requestBody.replacements).forEach((r, i) => isObject(r) && walk(r.value, `${sp}/requestBody/replacements/${i}/value`));
      }
    });
  });
  if (isObject(raw.components) && isObject(raw.components.parameters)) {
    for (const [name, p] of Object.entries(raw.components.parameters)) if (isObject(p)) walk(p.value, `/components/parameters/${name}/value`);
  }
  return found;
}

const pathOf = (pointer: string) => pointer.split('/').slice(1).map((t) => (/^\d+$/.test(t) ? Number(t) : t.replace(/~1/g, '/').replace(/~0/g, '~')));

export function upgradeArazzo(text: string): UpgradeResult {
  const doc: Document = parseDocument(text);
  if (doc.errors.length) return { changes: [], refusals: [`/: the document does not parse as YAML (${doc.errors[0].message.split('\n')[0]})`] };
  const raw = doc.toJS() as unknown;
  if (!isObject(raw)) return { changes: [], refusals: ['/: not an Arazzo document'] };
  const minor = arazzoMinor(raw);
  if (minor === '1.1') return { changes: [], refusals: [`/arazzo: already ${String(raw.arazzo)}`] };
  if (minor !== '1.0') return { changes: [], refusals: [`/arazzo: ${JSON.stringify(raw.arazzo)} is not a 1.0.x version`] };

  const refusals = selectorShaped(raw).map((p) => `${p}: an object with context, selector and type is a plain value in 1.0.x and a Selector Object in 1.1; write it differently first`);
  if (refusals.length) return { changes: [], refusals };

  // Edits of the source text at the nodes' ranges: everything else stays byte for byte.
  const edits: [start: number, end: number, text: string][] = [];
  const versionNode = doc.get('arazzo', true);
  if (!isScalar(versionNode) || !versionNode.range) return { changes: [], refusals: ['/arazzo: not a plain scalar'] };
  edits.push([versionNode.range[0], versionNode.range[1], LATEST_ARAZZO]);
  const changes: string[] = [`/arazzo: ${String(raw.arazzo)} → ${LATEST_ARAZZO}`];
  for (const [pointer, criteria] of criterionLists(raw)) {
    criteria.forEach((c, i) => {
      if (!isObject(c) || c.type !== 'jsonpath') return;
      // A filter `[?(...)]` reads as RFC 9535 in a 1.0.x document (1.0.1 names RFC 9535) but as JavaScript under the Goessner
      // version (core/criteria/goessner-jsonpath.ts): keeping the plain type keeps its meaning.
      if (typeof c.condition === 'string' && isGoessnerFilterCondition(c.condition)) {
        changes.push(`${pointer}/${i}/type: jsonpath kept (RFC 9535, as this filter was read in 1.0.x; under ${LEGACY_JSONPATH} it would read as JavaScript)`);
        return;
      }
      const node = doc.getIn([...pathOf(pointer), i], true);
      if (!isMap(node)) return;
      const typeNode = node.get('type', true);
      if (!isScalar(typeNode) || !typeNode.range) return;
      edits.push([typeNode.range[0], typeNode.range[1], `{ type: jsonpath, version: ${LEGACY_JSONPATH} }`]);
      changes.push(`${pointer}/${i}/type: jsonpath → { type: jsonpath, version: ${LEGACY_JSONPATH} } (1.0.x JSONPath; 1.1 defaults to RFC 9535)`);
    });
  }
  let out = text;
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + replacement + out.slice(end);
  return { text: out, changes, refusals: [] };
}
