import $RefParser from '@apidevtools/json-schema-ref-parser';
import { DiagnosticCodes, type Diagnostic, type DiagnosticKind } from '../diagnostics/index.js';
import type { DocumentReader } from './document-reader.js';
import { omitExtensions } from './openapi-extensions.js';
import { displayPathOf, readYamlSource, type YamlSource } from './parse-yaml-source.js';
import { readRefTargets, refTargetPath } from './read-ref-targets.js';

export interface DereferencedDescription {
  /** The description with every `$ref` replaced by its target; absent when it could not be resolved. */
  readonly document?: Record<string, any>;
  /** Every file the `$ref`s reach (absolute path → parsed source). */
  readonly targets: Awaited<ReturnType<typeof readRefTargets>>;
  /** Problems found at the `$ref` that leads to them. */
  readonly diagnostics: Diagnostic[];
  /** Why the resolver failed (one line, no file contents), when it did. */
  readonly failure?: string;
}

/**
 * Resolves the `$ref`s of a parsed OpenAPI or AsyncAPI description: every file they reach is read
 * through `reader` first (so a problem is reported at the `$ref` that leads to it, under the
 * document's load limits), then the resolver hands out only what was read. Extensions (`x-...`)
 * are left out before, so their `$ref`s are not followed (openapi-extensions.ts).
 */
export async function dereferenceDescription(path: string, source: YamlSource, reader: DocumentReader): Promise<DereferencedDescription> {
  const described = omitExtensions(source.value as Record<string, any>);
  const targets = await readRefTargets({ ...source, value: described }, reader);
  if (targets.diagnostics.some((d) => d.severity === 'error')) return { targets, diagnostics: targets.diagnostics };
  const parser = new $RefParser();
  try {
    const document = (await parser.dereference(path, described, {
      resolve: {
        http: false,
        file: {
          order: 1,
          canRead: true,
          read: async (file: { url: string }) => {
            const local = /^https?:/i.test(file.url) ? (reader.remoteFiles.get(file.url.replace(/#.*$/, '')) ?? '') : refTargetPath(file.url);
            const target = targets.sources.get(local);
            if (!target) throw new Error(`${displayPathOf(local || file.url)} was not read while loading (a $ref this loader does not follow)`);
            return omitExtensions(target.value);
          },
        },
      },
      // What the resolver returns is parsed already; ref-parser's own parsers (a text parser among
      // them, which would turn any file into a string) are off.
      parse: { json: false, yaml: false, text: false, binary: false, parsed: { order: 1, canParse: true, parse: (file: { data: unknown }) => file.data } },
      dereference: { circular: 'ignore' },
      timeoutMs: reader.remainingMs(),
    })) as Record<string, any>;
    return { document, targets, diagnostics: targets.diagnostics };
  } catch (err) {
    return { targets, diagnostics: targets.diagnostics, failure: `cannot resolve $ref: ${refErrorMessage(err, reader)}` };
  }
}

/** A description read, of the kind asked for, and dereferenced; `fail` adds one error at its first line. */
export interface ReadDescription {
  readonly source: YamlSource;
  readonly document: Record<string, any>;
  readonly targets: DereferencedDescription['targets'];
  readonly diagnostics: Diagnostic[];
  readonly fail: (message: string) => { diagnostics: Diagnostic[] };
}

/**
 * What loading an OpenAPI or an AsyncAPI description starts with: read and parse it through
 * `reader`, check it is the kind asked for (`accepts` its raw value, else `notThisKind`),
 * dereference it, and stop when the load time is over. Every problem is a diagnostic of `kind`
 * at the description's file; `{ diagnostics }` alone comes back when it went no further.
 */
export async function readDescription(
  path: string,
  reader: DocumentReader,
  kind: DiagnosticKind,
  accepts: (raw: Record<string, any>) => boolean,
  notThisKind: string,
): Promise<ReadDescription | { readonly diagnostics: Diagnostic[] }> {
  const { source, diagnostics } = await readYamlSource(path, reader);
  if (!source) return { diagnostics };
  const { code, rule } = DiagnosticCodes[kind];
  const fail = (message: string): { diagnostics: Diagnostic[] } => ({
    diagnostics: [...diagnostics, { code, rule, severity: 'error', message, file: source.displayPath, line: 1, col: 1, pointer: '' }],
  });
  const raw = source.value as Record<string, any>;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !accepts(raw)) return fail(notThisKind);
  const dereferenced = await dereferenceDescription(path, source, reader);
  diagnostics.push(...dereferenced.diagnostics);
  if (!dereferenced.document) return dereferenced.failure ? fail(dereferenced.failure) : { diagnostics };
  const late = reader.overtime();
  if (late) return fail(`cannot load: ${late}`);
  return { source, document: dereferenced.document, targets: dereferenced.targets, diagnostics, fail };
}

/**
 * A message for a failed dereference that quotes no file's contents: pointer errors name the
 * `$ref` as the document wrote it; anything else (a resolver or parser error, whose message may
 * carry what it read) is named by its kind only.
 */
function refErrorMessage(err: unknown, reader: DocumentReader): string {
  const e = err as Error & { code?: string; source?: string };
  if (e?.name === 'MissingPointerError' || e?.name === 'InvalidPointerError') return e.message.split('\n')[0];
  if (e?.name === 'TimeoutError' || /timeout/i.test(e?.message ?? ''))
    return reader.overtime() ?? `loading took longer than ${reader.limits.loadTimeoutMs / 1000} s (the load time limit; --load-timeout)`;
  if (e?.message?.endsWith('(a $ref this loader does not follow)')) return e.message;
  return `${e?.name ?? 'error'}${e?.source ? ` in ${displayPathOf(refTargetPath(e.source))}` : ''}`;
}
