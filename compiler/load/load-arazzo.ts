import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import type { Diagnostic } from '../diagnostics/index.js';
import { arazzoMinor, findArazzo11Uses, NOT_YET_COMPILED } from '../validate/arazzo-11.js';
import { ArazzoDocumentSchema, type ArazzoDocument } from '../validate/arazzo-schema.js';
import { againstSelf, ArazzoIdentities, identifierOf, resolveSourceUrl, selfUriOf } from './arazzo-identity.js';
import { createDocumentReader, type DocumentReader } from './document-reader.js';
import type { LoadOptions } from './load-limits.js';
import { loadAsyncApi, type LoadedAsyncApi } from './load-asyncapi.js';
import { loadOpenApi, type LoadedOpenApi } from './load-openapi.js';
import { diagnosticAt, displayPathOf, encodePointer, readYamlSource, type YamlSource } from './parse-yaml-source.js';
import { RemoteSources, type RemoteSourceOptions } from './remote-sources.js';

/** An Arazzo document that passed the schema, with its OpenAPI sources loaded. */
export interface LoadedArazzo {
  readonly source: YamlSource;
  readonly document: ArazzoDocument;
  /** OpenAPI sources by `sourceDescriptions[].name`. */
  readonly openapis: ReadonlyMap<string, LoadedOpenApi>;
  /** AsyncAPI sources (Arazzo 1.1 `type: asyncapi`) by name. */
  readonly asyncapis?: ReadonlyMap<string, LoadedAsyncApi>;
  /** Arazzo-typed sources by name: their workflows can be run by `workflowId` steps and actions. */
  readonly arazzos: ReadonlyMap<string, LoadedArazzo>;
  /**
   * Indexes of the workflows that failed the Arazzo schema while the rest of the document passed
   * it (ASFN1002 under `/workflows/<i>`). Diagnostics are scoped per workflow: these workflows do
   * not compile, their siblings do. Their place in `document.workflows` holds
   * `{ workflowId, steps: [] }`, so every index stays the file's.
   */
  readonly invalidWorkflows?: ReadonlySet<number>;
}

const WORKFLOW_POINTER = /^\/workflows\/(\d+)(?:\/|$)/;

/**
 * Whether a diagnostic is a schema error of a workflow that loading set aside (see
 * `invalidWorkflows`), in the document or in one of its arazzo sources: it fails that workflow
 * only, not the document.
 */
export function inInvalidWorkflow(loaded: LoadedArazzo, d: Diagnostic): boolean {
  if (d.file === loaded.source.displayPath) {
    const index = WORKFLOW_POINTER.exec(d.pointer)?.[1];
    return index !== undefined && (loaded.invalidWorkflows?.has(Number(index)) ?? false);
  }
  return [...loaded.arazzos.values()].some((other) => inInvalidWorkflow(other, d));
}

/**
 * Validates a parsed document against the Arazzo schema. When every issue lies inside one
 * workflow or another (`/workflows/<i>/...`) and some workflow passes, the document is kept
 * without them: each set-aside workflow becomes `{ workflowId, steps: [] }` in its place, and its
 * issues are its own errors.
 */
function parseDocument(value: unknown): { document?: ArazzoDocument; invalidWorkflows: ReadonlySet<number>; issues: readonly z.core.$ZodIssue[] } {
  const parsed = ArazzoDocumentSchema.safeParse(value);
  if (parsed.success) return { document: parsed.data, invalidWorkflows: new Set(), issues: [] };
  const issues = parsed.error.issues;
  const workflows = (value as { workflows?: unknown } | null)?.workflows;
  const indexOf = (issue: z.core.$ZodIssue) => (issue.path[0] === 'workflows' && typeof issue.path[1] === 'number' ? issue.path[1] : undefined);
  const invalid = new Set(issues.map(indexOf));
  if (!Array.isArray(workflows) || invalid.has(undefined) || invalid.size >= workflows.length) return { invalidWorkflows: new Set(), issues };
  const indexes = new Set([...invalid].filter((i): i is number => i !== undefined));
  // A stand-in that passes the schema, so the rest of the document is checked as it is.
  const standIn = (i: number) => ({ workflowId: `invalid-workflow-${i}`, steps: [{ stepId: 'invalid', operationId: 'invalid' }] });
  const rest = ArazzoDocumentSchema.safeParse({ ...(value as object), workflows: workflows.map((w, i) => (indexes.has(i) ? standIn(i) : w)) });
  if (!rest.success) return { invalidWorkflows: new Set(), issues };
  const idOf = (w: unknown, i: number) => {
    const id = (w as { workflowId?: unknown } | null)?.workflowId;
    return typeof id === 'string' && id !== '' ? id : `workflows[${i}]`;
  };
  const document = { ...rest.data, workflows: rest.data.workflows.map((w, i) => (indexes.has(i) ? { workflowId: idOf(workflows[i], i), steps: [] } : w)) };
  return { document, invalidWorkflows: indexes, issues };
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union') {
    // Report the branch that got furthest instead of zod's generic "invalid input".
    const branches = (issue as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
    const best = branches.slice().sort((a, b) => a.length - b.length)[0];
    if (best?.length) return best.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
  }
  if (issue.code === 'invalid_key') {
    // A record key that does not match its pattern: say which, instead of zod's "Invalid key in record".
    const inner = (issue as { issues?: z.core.$ZodIssue[] }).issues ?? [];
    if (inner.length) return `${inner.map((i) => i.message).join('; ')} (key "${String(issue.path[issue.path.length - 1])}")`;
  }
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    return `missing required field "${String(issue.path[issue.path.length - 1])}"`;
  }
  return issue.message;
}

export { resolveSourceUrl } from './arazzo-identity.js';

/**
 * What the Arazzo 1.1 scan reports before the schema: in a 1.0.x document every 1.1 field (a
 * Selector-shaped object there is a plain value), in a 1.1 document what is not compiled yet, and
 * a `$self` that is not a URI reference without a fragment.
 */
function arazzo11Diagnostics(source: YamlSource): Diagnostic[] {
  const raw = source.value;
  const minor = arazzoMinor(raw);
  if (!minor) return [];
  const version = String((raw as Record<string, unknown>).arazzo);
  const out: Diagnostic[] = [];
  for (const use of findArazzo11Uses(raw)) {
    if (minor === '1.0') {
      // A Selector Object elsewhere is a plain value in 1.0 (any JSON may stand there); an output was a runtime expression only.
      if (use.feature !== 'selector' || /^\/workflows\/\d+(\/steps\/\d+)?\/outputs\/[^/]+$/.test(use.pointer)) out.push(diagnosticAt(source, use.pointer, 'arazzo11Field', `${use.what} is Arazzo 1.1; this document declares arazzo: ${version} (arazzo-sfn upgrade rewrites it to 1.1.0)`));
      continue;
    }
    const refused = NOT_YET_COMPILED[use.feature];
    if (refused) out.push(diagnosticAt(source, use.pointer, refused.kind, `${use.what}: ${refused.why}`));
    if (use.feature === 'self') {
      const self = (raw as Record<string, unknown>).$self;
      if (typeof self === 'string' && (self.includes('#') || !URL.canParse(self, 'file:///'))) {
        out.push(diagnosticAt(source, use.pointer, 'selfUri', '$self must be a URI reference without a fragment (RFC 3986 §4.1)'));
      }
    }
  }
  return out;
}

/**
 * Reads an Arazzo document and its sources (OpenAPI descriptions, other Arazzo documents) under
 * one set of load limits: regular files only, sizes capped per file and in total, a time bound.
 */
export async function loadArazzo(path: string, options: LoadOptions & RemoteSourceOptions = {}): Promise<{ loaded?: LoadedArazzo; diagnostics: Diagnostic[] }> {
  const reader = createDocumentReader(options);
  return loadArazzoWith(path, reader, new Set(), options, new KnownDocuments(path, reader));
}

/** The compile's `$self` identities, scanned once, when the first `arazzo` source needs them. */
class KnownDocuments {
  readonly identities = new ArazzoIdentities();
  private scanned?: Promise<void>;
  constructor(
    private readonly entry: string,
    private readonly reader: DocumentReader,
  ) {}
  async get(): Promise<ArazzoIdentities> {
    this.scanned ??= this.identities.scanLocal(this.entry, this.reader);
    await this.scanned;
    return this.identities;
  }
}

async function loadArazzoWith(
  path: string,
  reader: DocumentReader,
  visiting: ReadonlySet<string>,
  remoteOptions: RemoteSourceOptions,
  known: KnownDocuments,
): Promise<{ loaded?: LoadedArazzo; diagnostics: Diagnostic[] }> {
  const absolute = resolve(path);
  const { source, diagnostics } = await readYamlSource(absolute, reader);
  if (!source) return { diagnostics };

  // The Arazzo 1.1 scan fails the whole document (a 1.1 field in a 1.0.x document, or one not compiled yet).
  const versionDiagnostics = arazzo11Diagnostics(source);
  const { document, invalidWorkflows, issues } = parseDocument(source.value);
  // A schema issue inside what the version scan reported (a Selector Object where the schema wants a string) says the same again.
  const covered = versionDiagnostics.map((d) => d.pointer);
  diagnostics.push(
    ...versionDiagnostics,
    ...issues
      .map((issue) => ({ issue, pointer: encodePointer(issue.path as (string | number)[]) }))
      .filter(({ pointer }) => !covered.some((p) => pointer === p || pointer.startsWith(`${p}/`)))
      .map(({ issue, pointer }) => diagnosticAt(source, pointer, 'schema', issueMessage(issue))),
  );
  if (!document || versionDiagnostics.length) return { diagnostics };
  // A vendored copy's `$self` resolves against the URL it was fetched from, not its place on disk.
  const retrievalUri = reader.remoteOrigins.get(absolute) ?? pathToFileURL(absolute).href;
  const selfUri = selfUriOf(document.$self, retrievalUri);
  if (selfUri) known.identities.add(selfUri, absolute);

  const openapis = new Map<string, LoadedOpenApi>();
  const arazzos = new Map<string, LoadedArazzo>();
  const asyncapis = new Map<string, LoadedAsyncApi>();
  const remote = new RemoteSources(absolute, reader, remoteOptions, (uri) => known.identities.holders(uri).length > 0);
  for (const [index, description] of document.sourceDescriptions.entries()) {
    const pointer = `/sourceDescriptions/${index}/url`;
    // Arazzo 1.1: relative URLs resolve against $self when the document has one (an https: $self makes them remote).
    const url = againstSelf(absolute, description.url, document.$self);
    const identifier = identifierOf(retrievalUri, url);
    let file: string | undefined;
    if (description.type === 'arazzo') {
      // § Identity-Based Referencing: a url that is some known document's $self is that document; nothing is fetched or read by location.
      const holders = (await known.get()).holders(identifier);
      if (holders.length > 1) {
        const named = holders.map((h) => displayPathOf(h)).join(', ');
        diagnostics.push(diagnosticAt(source, pointer, 'selfAmbiguous', `source "${description.name}": ${identifier} is the $self of ${holders.length} documents (${named}); an Arazzo Description's identity must name one document`));
        continue;
      }
      file = holders[0];
    }
    file ??= resolveSourceUrl(absolute, url);
    if (!file) {
      // http(s): the vendored copy the lock pins, fetched first when it is not locked yet.
      const { file: vendored, notes } = await remote.resolve(url);
      for (const note of notes) diagnostics.push(diagnosticAt(source, pointer, note.kind, `source "${description.name}": ${note.message}`, note.severity));
      if (!vendored) continue;
      file = vendored;
    }
    if (description.type === 'arazzo') {
      if (visiting.has(file) || file === absolute) {
        diagnostics.push(diagnosticAt(source, pointer, 'sourceUnreadable', `source "${description.name}": ${description.url} includes this document again (a cycle of arazzo sources)`));
        continue;
      }
      const other = await loadArazzoWith(file, reader, new Set([...visiting, absolute]), remoteOptions, known);
      diagnostics.push(...other.diagnostics);
      if (!other.loaded) {
        diagnostics.push(diagnosticAt(source, pointer, 'sourceUnreadable', `source "${description.name}": cannot load ${description.url}`));
        continue;
      }
      // "references MUST use the target document's $self", yet "Implementations MAY support
      // referencing by other identifiers (such as retrieval URIs) … relying on it is NOT
      // RECOMMENDED": loaded by location, it compiles, with a warning (a SHOULD NOT, DESIGN).
      const otherSelf = selfUriOf(other.loaded.document.$self, reader.remoteOrigins.get(file) ?? pathToFileURL(file).href);
      if (otherSelf && otherSelf !== identifier) {
        diagnostics.push(
          diagnosticAt(
            source,
            pointer,
            'selfNotReferenced',
            `source "${description.name}": ${description.url} was loaded by its location, but that document's $self is ${otherSelf}; Arazzo 1.1 references an Arazzo Description by its $self (url: ${otherSelf})`,
            'warning',
          ),
        );
      }
      arazzos.set(description.name, other.loaded);
      continue;
    }
    if (description.type === 'asyncapi') {
      const { asyncapi, diagnostics: asyncapiDiagnostics } = await loadAsyncApi(file, reader);
      diagnostics.push(...asyncapiDiagnostics);
      if (!asyncapi) {
        diagnostics.push(diagnosticAt(source, pointer, 'sourceUnreadable', `source "${description.name}": cannot load ${description.url}`));
        continue;
      }
      asyncapis.set(description.name, asyncapi);
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
  return { loaded: { source, document, openapis, arazzos, ...(asyncapis.size ? { asyncapis } : {}), ...(invalidWorkflows.size ? { invalidWorkflows } : {}) }, diagnostics };
}
