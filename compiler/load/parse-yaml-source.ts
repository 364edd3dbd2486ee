import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { DiagnosticCodes, type Diagnostic, type DiagnosticKind, type Severity } from '../diagnostics/index.js';
import { pointerTokens, toPointer } from '../../core/json-pointer.js';

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
  const segments: (string | number)[] = decodePointer(pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = segments.length; n >= 0; n--) {
    const node = source.document.getIn(segments.slice(0, n), true);
    if (isNode(node) && node.range) return source.lineCounter.linePos(node.range[0]);
    // A map key whose value is null has no node of its own: point at the pair's key instead.
    if (n > 0) {
      const parent = source.document.getIn(segments.slice(0, n - 1), true) as { items?: { key?: unknown }[] } | undefined;
      const pair = parent?.items?.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === segments[n - 1]);
      if (pair && isNode(pair.key) && pair.key.range) return source.lineCounter.linePos(pair.key.range[0]);
    }
  }
  return { line: 1, col: 1 };
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

/** Parses text as YAML 1.2 (JSON is a subset); syntax errors come back as diagnostics. */
export function parseYamlText(path: string, text: string): { source?: YamlSource; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const displayPath = displayPathOf(path);
  const diagnostics: Diagnostic[] = [...document.errors, ...document.warnings].map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    const { code, rule } = DiagnosticCodes.yamlSyntax;
    const severity: Severity = document.errors.includes(e as never) ? 'error' : 'warning';
    return { code, rule, severity, message: `YAML: ${e.message.split('\n')[0]}`, file: displayPath, line, col, pointer: '' };
  });
  if (document.errors.length > 0) return { diagnostics };
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias bomb (aliases that expand without bound) is refused by the yaml library: a diagnostic, never a crash.
    const { code, rule } = DiagnosticCodes.yamlSyntax;
    return { diagnostics: [...diagnostics, { code, rule, severity: 'error', message: `YAML: ${(err as Error).message.split('\n')[0]}`, file: displayPath, line: 1, col: 1, pointer: '' }] };
  }
  return { source: { path, displayPath, value, document, lineCounter }, diagnostics };
}

export async function readYamlSource(path: string): Promise<{ source?: YamlSource; diagnostics: Diagnostic[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const { code, rule } = DiagnosticCodes.sourceUnreadable;
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    return {
      diagnostics: [{ code, rule, severity: 'error', message: `cannot read ${displayPathOf(path)}: ${reason}`, file: displayPathOf(path), line: 1, col: 1, pointer: '' }],
    };
  }
  return parseYamlText(path, text);
}
