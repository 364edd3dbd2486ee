import type { JsonValue } from '../../core/plan.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import { decodePointer, diagnosticAt } from '../load/parse-yaml-source.js';

const COMPONENT_INPUTS = /^#\/components\/inputs\/(.+)$/;
/** A plain-name fragment (JSON Schema 2020-12 §8.2.2: `$anchor` is `^[A-Za-z_][-A-Za-z0-9._]*$`). */
const PLAIN_NAME = /^#([A-Za-z_][-A-Za-z0-9._]*)$/;
/** Subschemas deeper than this are not searched for an `$anchor` (an inputs schema is not that deep). */
const MAX_ANCHOR_DEPTH = 64;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The subschema that declares `$anchor: name` in `value`, with its pointer below `at`. */
function findAnchor(value: unknown, name: string, at: string, depth = 0): { schema: Record<string, unknown>; pointer: string } | undefined {
  if (depth > MAX_ANCHOR_DEPTH || (!isObject(value) && !Array.isArray(value))) return undefined;
  if (isObject(value) && value.$anchor === name) return { schema: value, pointer: at };
  for (const [k, v] of Object.entries(value)) {
    const found = findAnchor(v, name, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The value at `tokens` below `value`, or undefined. */
function walk(value: unknown, tokens: readonly string[]): unknown {
  let node = value;
  for (const token of tokens) {
    if (Array.isArray(node) && /^\d+$/.test(token)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

/**
 * A workflow's inputs JSON Schema with its `$ref`s into `components.inputs` inlined (Arazzo
 * §Components Object), so the plan carries a self-contained schema the inputs function can
 * compile without the document. References into the schema's own `$defs` stay. Arazzo 1.1 §
 * Resolving URI Fragments: inputs `$ref`s "MUST support both JSON Pointer fragments and
 * plain-name fragments (defined by `$anchor`)": a pointer into a component
 * (`#/components/inputs/<name>/properties/a`) and a plain name (`#address`, declared by an
 * `$anchor` in the workflow's schema or in `components.inputs`) are inlined too, the copy without
 * its `$anchor` (two copies of one anchor would be ambiguous). Other `$ref`s cannot be followed at
 * run time: they are errors.
 */
export function resolveInputsSchema(loaded: LoadedArazzo, schema: unknown, pointer: string, diagnostics: Diagnostic[]): Record<string, JsonValue> {
  const components = (loaded.document.components?.inputs ?? {}) as Record<string, unknown>;
  const report = (at: string, message: string) => diagnostics.push(diagnosticAt(loaded.source, `${at}/$ref`, 'inputsSchema', message));
  /** What a `$ref` names, with where it sits; undefined (reported) when it names nothing this resolver follows. */
  const target = (ref: string, at: string): { value: unknown; pointer: string } | undefined => {
    const anchor = PLAIN_NAME.exec(ref);
    if (anchor) {
      const found = findAnchor(schema, anchor[1], pointer) ?? findAnchor(components, anchor[1], '/components/inputs');
      if (!found) report(at, `inputs $ref "${ref}" names no $anchor "${anchor[1]}" in the workflow's inputs schema or components.inputs`);
      if (!found) return undefined;
      const { $anchor: _anchor, ...copy } = found.schema;
      return { value: copy, pointer: found.pointer };
    }
    const match = COMPONENT_INPUTS.exec(ref);
    const tokens = match ? decodePointer(`/${match[1]}`) : [];
    const value = match && tokens[0] in components ? walk(components[tokens[0]], tokens.slice(1)) : undefined;
    if (value === undefined) {
      report(at, `inputs $ref "${ref}" must name an entry of components.inputs (${Object.keys(components).join(', ') || 'none declared'}), a subschema of one, or an $anchor`);
      return undefined;
    }
    return { value, pointer: `/components/inputs/${match![1]}` };
  };
  const resolve = (value: unknown, at: string, seen: readonly string[]): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => resolve(v, `${at}/${i}`, seen));
    if (!value || typeof value !== 'object') return value;
    const ref = (value as { $ref?: unknown }).$ref;
    // A reference inside the schema itself ($defs) stays: the inlined schema keeps its $defs.
    if (typeof ref === 'string' && !ref.startsWith('#/$defs/') && !ref.startsWith('#/definitions/')) {
      if (seen.includes(ref)) {
        report(at, `inputs $ref "${ref}" refers to itself`);
        return {};
      }
      const found = target(ref, at);
      if (!found) return {};
      const { $ref: _ref, ...siblings } = value as Record<string, unknown>;
      const inlined = resolve(found.value, found.pointer, [...seen, ref]) as Record<string, unknown>;
      return { ...inlined, ...(resolve(siblings, at, seen) as Record<string, unknown>) };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, `${at}/${k}`, seen)]));
  };
  return (resolve(schema ?? { type: 'object' }, pointer, []) ?? { type: 'object' }) as Record<string, JsonValue>;
}
