import { decodePointer } from '../load/parse-yaml-source.js';
import type { ArazzoDocument } from '../validate/arazzo-schema.js';

const COMPONENT_INPUT_REF = /^#\/components\/inputs\/([^/]+)$/;

/** What a workflow's inputs schema declares, as far as the compiler can tell. */
export interface DeclaredInputs {
  readonly names: ReadonlySet<string>;
  /**
   * The schema explicitly admits inputs it does not name (`additionalProperties` other than
   * false, `patternProperties`), or uses a `$ref` the compiler cannot follow: any name may be declared.
   */
  readonly open: boolean;
  /**
   * The schema refuses inputs it does not name (`additionalProperties: false` or
   * `unevaluatedProperties: false` on the schema itself): an unlisted name can never be given.
   */
  readonly closed: boolean;
  readonly patterns: readonly RegExp[];
}

/** The schema itself, through a `$ref` to `#/components/inputs/<name>`. */
function rootOf(schema: unknown, document: ArazzoDocument, seen = new Set<unknown>()): unknown {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return schema;
  seen.add(schema);
  const ref = (schema as { $ref?: unknown }).$ref;
  const match = typeof ref === 'string' ? COMPONENT_INPUT_REF.exec(ref) : null;
  const target = match ? document.components?.inputs?.[decodePointer(`/${match[1]}`)[0]] : undefined;
  return target === undefined ? schema : rootOf(target, document, seen);
}

/**
 * Input names a JSON Schema declares: `properties` of the schema, of its `allOf`/`anyOf`/`oneOf`
 * and conditional branches, and of `#/components/inputs/<name>` it `$ref`s.
 */
export function declaredInputs(schema: unknown, document: ArazzoDocument): DeclaredInputs {
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  let open = false;
  const seen = new Set<unknown>();
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const s = node as Record<string, unknown>;
    if (typeof s.$ref === 'string') {
      const match = COMPONENT_INPUT_REF.exec(s.$ref);
      const target = match ? document.components?.inputs?.[decodePointer(`/${match[1]}`)[0]] : undefined;
      if (target === undefined) open = true;
      else visit(target);
    }
    if (s.properties && typeof s.properties === 'object') for (const name of Object.keys(s.properties)) names.add(name);
    if (s.patternProperties && typeof s.patternProperties === 'object') {
      for (const pattern of Object.keys(s.patternProperties)) {
        try {
          patterns.push(new RegExp(pattern, 'u'));
        } catch {
          open = true;
        }
      }
    }
    // Only an explicit `additionalProperties` opens the schema: left out, it is the author who did not list the input.
    if (s.additionalProperties !== undefined && s.additionalProperties !== false) open = true;
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(s[key])) (s[key] as unknown[]).forEach(visit);
    for (const key of ['if', 'then', 'else'] as const) visit(s[key]);
  };
  visit(schema);
  const root = rootOf(schema, document) as Record<string, unknown> | undefined;
  const closed = root?.additionalProperties === false || root?.unevaluatedProperties === false;
  return { names, open, closed, patterns };
}

export function isDeclared(declared: DeclaredInputs, name: string): boolean {
  return declared.open || declared.names.has(name) || declared.patterns.some((p) => p.test(name));
}
