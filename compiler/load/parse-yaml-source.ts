import { relative } from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type ErrorCode } from 'yaml';
import { DiagnosticCodes, type Diagnostic, type DiagnosticKind, type Severity } from '../diagnostics/index.js';
import { pointerTokens, toPointer } from '../../core/json-pointer.js';
import { createDocumentReader, type DocumentReader } from './document-reader.js';

/**
 * A YAML (or JSON) file parsed with its source positions kept, so any node can be reported
 * as `file:line:col` by its JSON pointer.
 */
export interface YamlSource {
  /** Absolute path. */
  readonly path: string;
  /** Path shown in messages (relative to the working directory). */
  readonly displayPath: string;
  readonly value: unknown;
  readonly document: Document;
  readonly lineCounter: LineCounter;
}

export const decodePointer = pointerTokens;
export const encodePointer = toPointer;

/** Line and column (1-based) of the node at `pointer`, or of its nearest existing ancestor. */
export function positionOf(source: YamlSource, pointer: string): { line: number; col: number } {
  let node: unknown = source.document.contents;
  let found: { line: number; col: number } | undefined = isNode(node) && node.range ? source.lineCounter.linePos(node.range[0]) : undefined;
  for (const token of decodePointer(pointer)) {
    let next: unknown;
    if (isSeq(node)) {
      next = /^\d+$/.test(token) ? node.items[Number(token)] : undefined;
    } else if (isMap(node)) {
      // Keys compare by their text: `200:` is the number 200 in YAML 1.2, `'200':` the string.
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === token);
      if (!pair) break;
      // A key whose value is null has no node of its own: point at the key instead.
      if (!isNode(pair.value) || !pair.value.range) {
        if (isNode(pair.key) && pair.key.range) found = source.lineCounter.linePos(pair.key.range[0]);
        break;
      }
      next = pair.value;
    }
    if (!isNode(next) || !next.range) break;
    found = source.lineCounter.linePos(next.range[0]);
    node = next;
  }
  return found ?? { line: 1, col: 1 };
}

export function diagnosticAt(
  source: YamlSource,
  pointer: string,
  kind: DiagnosticKind,
  message: string,
  severity: Severity = 'error',
): Diagnostic {
  const { line, col } = positionOf(source, pointer);
  const { code, rule } = DiagnosticCodes[kind];
  return { code, rule, severity, message, file: source.displayPath, line, col, pointer };
}

export function displayPathOf(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/**
 * Messages of the yaml library that can quote the document's text (a token, a tag, an escape):
 * diagnostics never quote a file's contents (it may be a secrets file that a `$ref` reached), so
 * these are replaced by what the error code means.
 */
const QUOTING_CODES: Partial<Record<ErrorCode, string>> = {
  UNEXPECTED_TOKEN: 'Unexpected token',
  TAG_RESOLVE_FAILED: 'Unresolved tag',
  BAD_DQ_ESCAPE: 'Invalid escape sequence in a double-quoted string',
  BAD_SCALAR_START: 'A plain value cannot start with a reserved character',
  BAD_PROP_ORDER: 'Anchors and tags must be after the indicator',
  BAD_COLLECTION_TYPE: 'A tag used for another kind of collection',
  BAD_DIRECTIVE: 'Invalid directive',
};

/** The messages of conversion errors (aliases) that quote nothing; any other is replaced. */
const SAFE_CONVERSION_MESSAGES = [/^Excessive alias count indicates a resource exhaustion attack$/, /^Alias resolution is disabled$/];

function yamlMessage(code: ErrorCode, message: string): string {
  return `YAML: ${QUOTING_CODES[code] ?? message.split('\n')[0]}`;
}

function conversionMessage(message: string): string {
  const first = message.split('\n')[0];
  if (first.startsWith('Unresolved alias')) return 'YAML: Unresolved alias (the anchor must be set before the alias)';
  return `YAML: ${SAFE_CONVERSION_MESSAGES.some((m) => m.test(first)) ? first : 'the document cannot be converted to data'}`;
}

/**
 * Offsets of keys that repeat a key of the same map. The yaml library's own check compares each
 * key with every earlier one (quadratic: a description with 25,000 paths took minutes); this is
 * one set per map.
 */
function duplicateKeyOffsets(document: Document): number[] {
  const offsets: number[] = [];
  visit(document, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value) && pair.key.range) offsets.push(pair.key.range[0]);
        seen.add(pair.key.value);
      }
    },
  });
  return offsets;
}

/** Parses text as YAML 1.2 (JSON is a subset); syntax errors come back as diagnostics, which never quote the text. */
export function parseYamlText(path: string, text: string): { source?: YamlSource; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  // logLevel 'error': the library's warnings go to process.emitWarning on stderr, quoting the
  // text ("Keys with collection values will be stringified ... { [<key>]"); none are needed.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
  const displayPath = displayPathOf(path);
  const { code, rule } = DiagnosticCodes.yamlSyntax;
  const found: { offset: number; severity: Severity; message: string }[] = [
    ...document.errors.map((e) => ({ offset: e.pos[0], severity: 'error' as const, message: yamlMessage(e.code, e.message) })),
    ...document.warnings.map((e) => ({ offset: e.pos[0], severity: 'warning' as const, message: yamlMessage(e.code, e.message) })),
    ...duplicateKeyOffsets(document).map((offset) => ({ offset, severity: 'error' as const, message: 'YAML: Map keys must be unique' })),
  ].sort((a, b) => a.offset - b.offset);
  const diagnostics: Diagnostic[] = found.map(({ offset, severity, message }) => {
    const { line, col } = lineCounter.linePos(offset);
    return { code, rule, severity, message, file: displayPath, line, col, pointer: '' };
  });
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias bomb (aliases that expand without bound) is refused by the yaml library: a diagnostic, never a crash.
    return { diagnostics: [...diagnostics, { code, rule, severity: 'error', message: conversionMessage((err as Error).message), file: displayPath, line: 1, col: 1, pointer: '' }] };
  }
  return { source: { path, displayPath, value, document, lineCounter }, diagnostics };
}

/**
 * Reads and parses a YAML or JSON file through `reader` (regular files only, within the load
 * limits); a file that cannot be read is one diagnostic that says why, without its contents.
 */
export async function readYamlSource(path: string, reader: DocumentReader = createDocumentReader()): Promise<{ source?: YamlSource; diagnostics: Diagnostic[] }> {
  const { text, problem } = await reader.read(path);
  if (text === undefined) {
    const { code, rule } = DiagnosticCodes.sourceUnreadable;
    return {
      diagnostics: [{ code, rule, severity: 'error', message: `cannot read ${displayPathOf(path)}: ${problem}`, file: displayPathOf(path), line: 1, col: 1, pointer: '' }],
    };
  }
  const parsed = parseYamlText(path, text);
  const late = reader.overtime();
  if (late && parsed.source) {
    const { code, rule } = DiagnosticCodes.sourceUnreadable;
    return { diagnostics: [...parsed.diagnostics, { code, rule, severity: 'error', message: `cannot load ${displayPathOf(path)}: ${late}`, file: displayPathOf(path), line: 1, col: 1, pointer: '' }] };
  }
  return parsed;
}
