import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DocumentReader } from './document-reader.js';
import { readYamlSource } from './parse-yaml-source.js';

/** Resolves a source description `url` relative to the Arazzo file, as the seeds' `../openapi/...` need; undefined for an http(s) URL. */
export function resolveSourceUrl(arazzoPath: string, url: string): string | undefined {
  if (/^https?:\/\//i.test(url)) return undefined;
  if (url.startsWith('file://')) return fileURLToPath(url);
  return resolve(dirname(arazzoPath), url);
}

/**
 * A source URL resolved against the document's Arazzo 1.1 `$self` (itself resolved against the
 * file when relative), as an absolute URL; the URL as written when there is no `$self`.
 */
export function againstSelf(arazzoPath: string, url: string, self: string | undefined): string {
  if (self === undefined) return url;
  try {
    return new URL(url, new URL(self, pathToFileURL(arazzoPath))).href;
  } catch {
    return url;
  }
}

/** A document's `$self` as an absolute URI: resolved against the URI it was retrieved from (Establishing the Base URI). */
export function selfUriOf(self: unknown, retrievalUri: string): string | undefined {
  if (typeof self !== 'string' || self.includes('#')) return undefined;
  try {
    return new URL(self, retrievalUri).href;
  } catch {
    return undefined;
  }
}

/**
 * The URI a source `url` (already resolved against `$self`) names, as an identifier: absolute as
 * written, or relative resolved against the document's retrieval URI (a vendored copy's is the URL
 * it was fetched from). "URIs used as references within an Arazzo Description, including Source
 * Description `url`, are resolved as identifiers".
 */
export function identifierOf(retrievalUri: string, url: string): string {
  try {
    const u = /^[a-z]:[\\/]/i.test(url) ? pathToFileURL(url) : new URL(url, retrievalUri);
    u.hash = '';
    return u.href;
  } catch {
    return url;
  }
}

/**
 * The `$self` identities of the Arazzo documents one compile has: by Arazzo 1.1 § Identity-Based
 * Referencing a source `url` names an Arazzo Description by its `$self`, so a `url` that equals a
 * known `$self` is that document, wherever it lies, and nothing is fetched for it.
 *
 * Which documents are known is what § Parsing Documents calls "all documents provided to the
 * implementation as possible parts of the Arazzo Description": the entry document and the local
 * files its `arazzo` sources reach (read whole, before any source is resolved), plus every
 * remote document loaded from its vendored copy. Sibling files in the same folder are not
 * scanned: the CLI and the construct are given one document (`validate a b` checks two
 * descriptions, not one), and Appendix B's "can scan for `$self` values … from a provided
 * collection" is a non-normative MAY.
 */
export class ArazzoIdentities {
  private readonly byUri = new Map<string, string[]>();

  add(uri: string, file: string): void {
    const files = this.byUri.get(uri) ?? [];
    if (!files.includes(file)) this.byUri.set(uri, [...files, file]);
  }

  /** The files whose `$self` is `uri` (more than one is an ambiguity the caller reports). */
  holders(uri: string): readonly string[] {
    return this.byUri.get(uri) ?? [];
  }

  /**
   * Reads the entry document and the local `arazzo` sources it reaches, recording each `$self`.
   * It never fetches: an http(s) source is left to the loader (its vendored copy registers there).
   * Problems are not reported here; the loader reads the same files and reports them.
   */
  async scanLocal(entry: string, reader: DocumentReader): Promise<void> {
    const queue = [resolve(entry)];
    const seen = new Set(queue);
    while (queue.length) {
      const file = queue.shift()!;
      const { source } = await readYamlSource(file, reader);
      const raw = source?.value as { $self?: unknown; sourceDescriptions?: unknown } | undefined;
      if (!raw || typeof raw !== 'object') continue;
      const self = typeof raw.$self === 'string' ? raw.$self : undefined;
      const uri = selfUriOf(self, pathToFileURL(file).href);
      if (uri) this.add(uri, file);
      if (!Array.isArray(raw.sourceDescriptions)) continue;
      for (const s of raw.sourceDescriptions as { url?: unknown; type?: unknown }[]) {
        if (s?.type !== 'arazzo' || typeof s.url !== 'string') continue;
        const next = resolveSourceUrl(file, againstSelf(file, s.url, self));
        if (!next || seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
  }
}
