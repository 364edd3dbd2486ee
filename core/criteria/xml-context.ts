import { expressionError } from '../errors.js';
import { MAX_XML_CHARS, XmlSyntaxError } from './xpath-engine.js';

export function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// The criteria and selectors of one step usually read the same response body: parse it once.
let last: { text: string; parse: unknown; document: unknown } | undefined;

/**
 * The parsed document of an XPath's context, which must be XML text (a response whose media type
 * is not JSON stays text). Text past MAX_XML_CHARS is refused before it is parsed. `fresh`: a
 * document of its own (to write into), not the one shared with the other readers of the text. Errors are
 * Arazzo.Expression and never quote the document, which may hold personal data.
 */
export function xmlDocumentOf(context: unknown, where: string, parseXml: (text: string) => unknown, fresh = false): unknown {
  if (typeof context !== 'string') {
    throw expressionError(`${where}: the context is ${kindOf(context)}, not XML text (only a response with a JSON media type is parsed; XML stays text)`);
  }
  if (context.length > MAX_XML_CHARS) {
    throw expressionError(`${where}: the context is ${context.length} characters of XML, over the ${MAX_XML_CHARS} an XPath reads`);
  }
  if (!fresh && last?.text === context && last.parse === parseXml) return last.document;
  try {
    const document = parseXml(context);
    if (!fresh) last = { text: context, parse: parseXml, document };
    return document;
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw expressionError(`${where}: the context is ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * An XPath or JSONPath library's message, cut to one line: the line that names the error (the
 * ones fontoxpath adds before it quote the expression) with quoted text blanked, as a value cast
 * from the document (XPTY0004 "Cannot cast ...") may be personal data.
 */
export function engineMessage(err: unknown): string {
  const text = (err as Error)?.message ?? String(err);
  const line = text.split('\n').find((l) => l.trim() && !/^\s*\d+:|^\s*\^/.test(l))?.trim() ?? 'error';
  const blanked = line.replace(/^Error:\s*/, '').replace(/"[^"]*"|'[^']*'/g, '"…"');
  return blanked.length > 200 ? `${blanked.slice(0, 197)}...` : blanked;
}

/**
 * fontoxpath's parse error (XPST0003) as the other parsers report theirs: what it expected, and
 * the offset into the expression where it stopped. Undefined for any other error.
 */
export function xpathSyntaxProblem(err: unknown, expression: string): { message: string; offset: number } | undefined {
  const text = (err as Error)?.message ?? String(err);
  const line = text.split('\n').find((l) => /XPST0003/.test(l));
  if (!line) return undefined;
  const at = /at <>:(\d+):(\d+)/.exec(text);
  const lines = expression.split('\n');
  const row = at ? Math.min(Number(at[1]), lines.length) - 1 : 0;
  const offset = at ? lines.slice(0, row).reduce((n, l) => n + l.length + 1, 0) + Number(at[2]) - 1 : 0;
  const detail = line.replace(/^.*XPST0003:\s*(Failed to parse script\.\s*)?/, '').trim() || 'does not parse';
  return { message: `${detail.charAt(0).toLowerCase()}${detail.slice(1)}`, offset };
}
