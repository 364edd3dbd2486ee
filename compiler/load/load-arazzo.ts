import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { Diagnostic } from '../diagnostics/index.js';
import { ArazzoDocumentSchema, type ArazzoDocument } from '../validate/arazzo-schema.js';
import { createDocumentReader, type DocumentReader } from './document-reader.js';
import type { LoadOptions } from './load-limits.js';
import { loadOpenApi, type LoadedOpenApi } from './load-openapi.js';
import { diagnosticAt, encodePointer, readYamlSource, type YamlSource } from './parse-yaml-source.js';
import { RemoteSources, type RemoteSourceOptions } from './remote-sources.js';

/** An Arazzo document that passed the schema, with its OpenAPI sources loaded. */
export interface LoadedArazzo {
  readonly source: YamlSource;
  readonly document: ArazzoDocument;
  /** OpenAPI sources by `sourceDescriptions[].name`. */
  readonly openapis: ReadonlyMap<string, LoadedOpenApi>;
  /** Arazzo-typed sources by name: their workflows can be run by `workflowId` steps and actions. */
  readonly arazzos: ReadonlyMap<string, LoadedArazzo>;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union') {
    // Report the branch that got furthest instead of zod's generic "invalid input".
    const branches = (issue as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
    const best = branches.slice().sort((a, b) => a.length - b.length)[0];
    if (best?.length) return best.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
  }
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    return `missing required field "${String(issue.path[issue.path.length - 1])}"`;
  }
  return issue.message;
}

/** Resolves a source description `url` relative to the Arazzo file, as the seeds' `../openapi/...` need. */
export function resolveSourceUrl(arazzoPath: string, url: string): string | undefined {
  if (/^https?:\/\//i.test(url)) return undefined;
  if (url.startsWith('file://')) return fileURLToPath(url);
  return resolve(dirname(arazzoPath), url);
}

/**
 * Reads an Arazzo document and its sources (OpenAPI descriptions, other Arazzo documents) under
 * one set of load limits: regular files only, sizes capped per file and in total, a time bound.
 */
export async function loadArazzo(path: string, options: LoadOptions & RemoteSourceOptions = {}): Promise<{ loaded?: LoadedArazzo; diagnostics: Diagnostic[] }> {
  return loadArazzoWith(path, createDocumentReader(options), new Set(), options);
}

async function loadArazzoWith(
  path: string,
  reader: DocumentReader,
  visiting: ReadonlySet<string>,
  remoteOptions: RemoteSourceOptions,
): Promise<{ loaded?: LoadedArazzo; diagnostics: Diagnostic[] }> {
  const absolute = resolve(path);
  const { source, diagnostics } = await readYamlSource(absolute, reader);
  if (!source) return { diagnostics };

  const parsed = ArazzoDocumentSchema.safeParse(source.value);
  if (!parsed.success) {
    const schemaDiagnostics = parsed.error.issues.map((issue) =>
      diagnosticAt(source, encodePointer(issue.path as (string | number)[]), 'schema', issueMessage(issue)),
    );
    return { diagnostics: [...diagnostics, ...schemaDiagnostics] };
  }
  const document = parsed.data;

  const openapis = new Map<string, LoadedOpenApi>();
  const arazzos = new Map<string, LoadedArazzo>();
  const remote = new RemoteSources(absolute, reader, remoteOptions);
  for (const [index, description] of document.sourceDescriptions.entries()) {
    const pointer = `/sourceDescriptions/${index}/url`;
    let file = resolveSourceUrl(absolute, description.url);
    if (!file) {
      // http(s): the vendored copy the lock pins, fetched first when it is not locked yet.
      const { file: vendored, notes } = await remote.resolve(description.url);
      for (const note of notes) diagnostics.push(diagnosticAt(source, pointer, note.kind, `source "${description.name}": ${note.message}`, note.severity));
      if (!vendored) continue;
      file = vendored;
    }
    if (description.type === 'arazzo') {
      if (visiting.has(file) || file === absolute) {
        diagnostics.push(diagnosticAt(source, pointer, 'sourceUnreadable', `source "${description.name}": ${description.url} includes this document again (a cycle of arazzo sources)`));
        continue;
      }
      const other = await loadArazzoWith(file, reader, new Set([...visiting, absolute]), remoteOptions);
      diagnostics.push(...other.diagnostics);
      if (!other.loaded) {
        diagnostics.push(diagnosticAt(source, pointer, 'sourceUnreadable', `source "${description.name}": cannot load ${description.url}`));
        continue;
      }
      arazzos.set(description.name, other.loaded);
      continue;
    }
    const { openapi, diagnostics: openapiDiagnostics } = await loadOpenApi(file, reader);
    diagnostics.push(...openapiDiagnostics);
    if (!openapi) {
      diagnostics.push(diagnosticAt(source, pointer, 'sourceUnreadable', `source "${description.name}": cannot load ${description.url}`));
      continue;
    }
    openapis.set(description.name, openapi);
  }
  try {
    await remote.save();
  } catch (err) {
    diagnostics.push(diagnosticAt(source, '', 'sourceLock', `cannot write the lock file beside the document (${(err as NodeJS.ErrnoException).code ?? 'error'})`));
  }
  return { loaded: { source, document, openapis, arazzos }, diagnostics };
}
