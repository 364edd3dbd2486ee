import type { JsonValue } from '../../core/plan.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import { decodePointer, diagnosticAt } from '../load/parse-yaml-source.js';

const COMPONENT_INPUTS = /^#\/components\/inputs\/(.+)$/;

/**
 * A workflow's inputs JSON Schema with its `$ref`s into `components.inputs` inlined (Arazzo
 * §Components Object), so the plan carries a self-contained schema the inputs function can
 * compile without the document. References into the schema's own `$defs` stay; other `$ref`s
 * cannot be followed at run time: they are errors.
 */
export function resolveInputsSchema(loaded: LoadedArazzo, schema: unknown, pointer: string, diagnostics: Diagnostic[]): Record<string, JsonValue> {
  const components = (loaded.document.components?.inputs ?? {}) as Record<string, unknown>;
  const resolve = (value: unknown, at: string, seen: readonly string[]): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => resolve(v, `${at}/${i}`, seen));
    if (!value || typeof value !== 'object') return value;
    const ref = (value as { $ref?: unknown }).$ref;
    // A reference inside the schema itself ($defs) stays: the inlined schema keeps its $defs.
    if (typeof ref === 'string' && !ref.startsWith('#/$defs/') && !ref.startsWith('#/definitions/')) {
      const match = COMPONENT_INPUTS.exec(ref);
      const name = match ? decodePointer(`/${match[1]}`)[0] : undefined;
      if (name === undefined || !(name in components)) {
        diagnostics.push(diagnosticAt(loaded.source, `${at}/$ref`, 'inputsSchema', `inputs $ref "${ref}" must name an entry of components.inputs (${Object.keys(components).join(', ') || 'none declared'})`));
        return {};
      }
      if (seen.includes(name)) {
        diagnostics.push(diagnosticAt(loaded.source, `${at}/$ref`, 'inputsSchema', `inputs $ref "${ref}" refers to itself`));
        return {};
      }
      const { $ref: _ref, ...siblings } = value as Record<string, unknown>;
      const target = resolve(components[name], `/components/inputs/${name}`, [...seen, name]) as Record<string, unknown>;
      return { ...target, ...(resolve(siblings, at, seen) as Record<string, unknown>) };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, `${at}/${k}`, seen)]));
  };
  return (resolve(schema ?? { type: 'object' }, pointer, []) ?? { type: 'object' }) as Record<string, JsonValue>;
}
