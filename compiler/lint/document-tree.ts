import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics/index.js';
import { resolveSourceUrl } from '../load/load-arazzo.js';
import { diagnosticAt, displayPathOf } from '../load/parse-yaml-source.js';
import type { BoundDocument } from '../plan/bind-document.js';

/** The path with its symbolic links resolved (a link inside the tree may lead out of it). */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function commonAncestor(dirs: readonly string[]): string {
  return dirs.reduce((common, dir) => {
    let candidate = common;
    while (!isInside(candidate, dir)) {
      const parent = dirname(candidate);
      if (parent === candidate) return candidate;
      candidate = parent;
    }
    return candidate;
  });
}

function isInside(tree: string, path: string): boolean {
  const rel = relative(tree, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * A document reads files from its own tree: the common ancestor of the Arazzo document and the
 * source descriptions it names by relative URL (the seeds' `../openapi/...` make it
 * `workflows/`). A source URL given as an absolute path or `file:` URL, or a `$ref` of an OpenAPI
 * description, that leads out of that tree is a warning: a `$ref` to `/home/me/.aws/credentials`
 * or `../../../etc/...` reads a file the document's author does not ship, and what it holds ends up
 * in the compiled plan. Symbolic links are followed before comparing. It runs on a document whose
 * sources failed to load too (compileFile): a source outside the tree is named even when it cannot be read.
 */
export function checkDocumentTree({ loaded }: Pick<BoundDocument, 'loaded'>, diagnostics: Diagnostic[]): void {
  const { document, source } = loaded;
  const absoluteSources: { index: number; file: string; url: string; name: string }[] = [];
  const dirs = [dirname(real(source.path))];
  for (const [index, description] of document.sourceDescriptions.entries()) {
    const file = resolveSourceUrl(source.path, description.url);
    if (!file) continue;
    if (/^file:/i.test(description.url) || isAbsolute(description.url)) absoluteSources.push({ index, file: real(file), url: description.url, name: description.name });
    else dirs.push(dirname(real(file)));
  }
  const tree = commonAncestor(dirs);
  const where = `the document's tree (${displayPathOf(tree) || '.'})`;
  for (const s of absoluteSources) {
    if (isInside(tree, s.file)) continue;
    diagnostics.push(diagnosticAt(source, `/sourceDescriptions/${s.index}/url`, 'outsideDocumentTree', `source "${s.name}": ${s.url} is outside ${where}; copy the file beside the document and give a relative url`, 'warning'));
  }
  for (const openapi of loaded.openapis.values()) {
    for (const ref of openapi.externalRefs) {
      if (isInside(tree, real(ref.target))) continue;
      diagnostics.push(diagnosticAt(ref.from, ref.pointer, 'outsideDocumentTree', `$ref ${ref.ref} leads outside ${where}; copy the file into the tree and refer to it relatively`, 'warning'));
    }
  }
}
