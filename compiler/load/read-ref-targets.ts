import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pointerTokens } from '../../core/json-pointer.js';
import type { Diagnostic } from '../diagnostics/index.js';
import type { DocumentReader } from './document-reader.js';
import { omitExtensions } from './openapi-extensions.js';
import { diagnosticAt, displayPathOf, encodePointer, readYamlSource, type YamlSource } from './parse-yaml-source.js';

/** A `$ref` to another file: where it is written and the file it leads to. */
export interface ExternalRef {
  /** The file the `$ref` is written in. */
  readonly from: YamlSource;
  /** JSON pointer of the `$ref` member in `from`. */
  readonly pointer: string;
  /** The `$ref` as written. */
  readonly ref: string;
  /** Absolute path of the file it leads to. */
  readonly target: string;
}

/** The file system path of a `$ref` target as ref-parser names it (an absolute path or a `file:` URL, with or without a fragment). */
export function refTargetPath(url: string): string {
  const bare = url.replace(/#.*$/, '');
  if (/^file:/i.test(bare)) return fileURLToPath(bare);
  try {
    return resolve(decodeURI(bare));
  } catch {
    return resolve(bare);
  }
}

/**
 * The vendored copy a `$ref` of a fetched file leads to: it resolves against the URL the file came
 * from (remote-sources.ts fetched and registered every such target).
 */
function remoteTarget(reader: DocumentReader, fromPath: string, file: string): string | undefined {
  const origin = reader.remoteOrigins.get(fromPath);
  if (!origin) return undefined;
  try {
    return reader.remoteFiles.get(new URL(file, origin).href);
  } catch {
    return undefined;
  }
}

/**
 * Whether the JSON pointer `fragment` names nothing in `value`. Undecided (false) when the walk
 * meets another `$ref` on the way: ref-parser follows it, and reports what it cannot.
 */
function pointsNowhere(value: unknown, fragment: string): boolean {
  let node = value;
  for (const token of pointerTokens(fragment)) {
    if (!node || typeof node !== 'object') return true;
    if (typeof (node as Record<string, unknown>).$ref === 'string') return false;
    if (!Object.hasOwn(node, token)) return true;
    node = (node as Record<string, unknown>)[token];
  }
  return false;
}

/** Every `{ $ref: "<string>" }` in a parsed document, with its JSON pointer; each object visited once. */
export function refsIn(value: unknown): { pointer: string; ref: string }[] {
  const found: { pointer: string; ref: string }[] = [];
  const seen = new Set<object>();
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: value, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (!node || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      node.forEach((item, i) => stack.push({ node: item, path: [...path, i] }));
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === '$ref' && typeof child === 'string') found.push({ pointer: encodePointer([...path, '$ref']), ref: child });
      else stack.push({ node: child, path: [...path, key] });
    }
  }
  return found;
}

/**
 * Reads and parses, through `reader`, every file that the `$ref`s of `root` reach (and theirs, in
 * turn). A target that cannot be read, does not parse, or is not an object or list is reported at
 * the `$ref` that leads to it, by what went wrong, never by what the file holds. `https:` and other
 * remote `$ref`s are not fetched at compile time.
 */
export async function readRefTargets(root: YamlSource, reader: DocumentReader): Promise<{ sources: Map<string, YamlSource>; refs: ExternalRef[]; diagnostics: Diagnostic[] }> {
  const sources = new Map<string, YamlSource>([[root.path, root]]);
  const failed = new Set<string>();
  const refs: ExternalRef[] = [];
  const diagnostics: Diagnostic[] = [];
  /** Every `$ref` with a JSON pointer fragment, checked once every file is read. */
  const pointed: { from: YamlSource; pointer: string; ref: string; target: string; fragment: string }[] = [];
  const fragmentOf = (ref: string) => {
    const hash = ref.indexOf('#');
    if (hash < 0) return undefined;
    try {
      const fragment = decodeURIComponent(ref.slice(hash + 1));
      return fragment.startsWith('/') ? fragment : undefined;
    } catch {
      return undefined;
    }
  };
  const queue: YamlSource[] = [root];
  while (queue.length) {
    const from = queue.shift()!;
    // Extensions (x-...) of each file are not read: their $refs are not followed.
    for (const { pointer, ref } of refsIn(omitExtensions(from.value))) {
      if (ref.startsWith('#')) {
        const fragment = fragmentOf(ref);
        if (fragment) pointed.push({ from, pointer, ref, target: from.path, fragment });
        continue;
      }
      const file = ref.replace(/#.*$/, '');
      const vendored = reader.remoteFiles.get(file) ?? remoteTarget(reader, from.path, file);
      if (!vendored && reader.remoteOrigins.has(from.path)) {
        // A fetched file reads only what was fetched with it, never a local file.
        diagnostics.push(diagnosticAt(from, pointer, 'openApiInvalid', `$ref ${ref}: not among the files fetched with ${reader.remoteOrigins.get(from.path)}`));
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:/i.test(file) && !/^file:/i.test(file) && !vendored) {
        diagnostics.push(diagnosticAt(from, pointer, 'openApiInvalid', `$ref ${ref}: remote references are not fetched at compile time; download the file and refer to it by path`));
        continue;
      }
      let target: string;
      try {
        target = vendored ?? (/^file:/i.test(file) ? fileURLToPath(file) : resolve(dirname(from.path), decodeURIComponent(file)));
      } catch {
        diagnostics.push(diagnosticAt(from, pointer, 'openApiInvalid', `$ref ${ref}: not a valid file reference`));
        continue;
      }
      refs.push({ from, pointer, ref, target });
      const fragment = fragmentOf(ref);
      if (fragment) pointed.push({ from, pointer, ref, target, fragment });
      if (failed.has(target)) {
        diagnostics.push(diagnosticAt(from, pointer, 'openApiInvalid', `$ref ${ref}: ${displayPathOf(target)} cannot be loaded (see above)`));
        continue;
      }
      if (sources.has(target)) continue;
      const late = reader.overtime();
      if (late) {
        diagnostics.push(diagnosticAt(from, pointer, 'openApiInvalid', `$ref ${ref}: not loaded: ${late}`));
        return { sources, refs, diagnostics };
      }
      const { source, diagnostics: targetDiagnostics } = await readYamlSource(target, reader);
      if (!source) {
        failed.add(target);
        // The target's own report (cannot read it, or where its YAML breaks), then the $ref's.
        diagnostics.push(...targetDiagnostics);
        diagnostics.push(diagnosticAt(from, pointer, 'openApiInvalid', `$ref ${ref}: ${displayPathOf(target)} cannot be loaded`));
        continue;
      }
      if (!source.value || typeof source.value !== 'object') {
        failed.add(target);
        diagnostics.push(diagnosticAt(from, pointer, 'openApiInvalid', `$ref ${ref}: ${displayPathOf(target)} is not a YAML or JSON object or list`));
        continue;
      }
      diagnostics.push(...targetDiagnostics);
      sources.set(target, source);
      queue.push(source);
    }
  }
  // A pointer to nothing, reported at the $ref that holds it (ref-parser would say where it
  // looked, at 1:1 of the description).
  for (const { from, pointer, ref, target, fragment } of pointed) {
    const value = sources.get(target)?.value;
    if (value === undefined || !pointsNowhere(value, fragment)) continue;
    const where = target === from.path ? 'this file' : displayPathOf(target);
    diagnostics.push(diagnosticAt(from, pointer, 'openApiInvalid', `$ref ${ref}: ${where} has nothing at ${fragment}`));
  }
  return { sources, refs, diagnostics };
}
