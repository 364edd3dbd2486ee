import { expressionError } from '../errors.js';
import { boundExceeded } from './evaluation-bound.js';
import { MAX_XML_CHARS, XmlSyntaxError } from './xpath-engine.js';

/**
 * The deepest element nesting an XPath reads. fontoxpath's descendant and document-order
 * operations grow with the square of the depth (measured: `count(//a)` over 1,000 nested elements
 * 0.3 s, 5,000 14 s, 10,000 over 3 minutes), so a small hostile body could hold a Lambda for its
 * whole timeout. Real documents (SOAP envelopes, UBL invoices) nest a few dozen levels.
 */
export const MAX_XML_DEPTH = 256;

interface TreeNode {
  readonly firstChild?: TreeNode | null;
  readonly nextSibling?: TreeNode | null;
  readonly nodeType?: number;
}

/** The deepest element nesting of a parsed document, walked without recursion; stops counting past `limit`. */
function depthOf(document: unknown, limit: number): number {
  let deepest = 0;
  const stack: [TreeNode, number][] = [[document as TreeNode, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (let child = node.firstChild; child; child = child.nextSibling) if (child.nodeType === 1) stack.push([child, depth + 1]);
  }
  return deepest;
}

export function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// The criteria and selectors of one step usually read the same response body: parse it once.
let last: { text: string; parse: unknown; document: unknown } | undefined;

/**
 * The parsed document of an XPath's context, which must be XML text (a response whose media type
 * is not JSON stays text). Text past MAX_XML_CHARS is refused before it is parsed, a document
 * nested past MAX_XML_DEPTH after. `fresh`: a
 * document of its own (to write into), not the one shared with the other readers of the text. Errors are
 * Arazzo.Expression (the two bounds marked with boundExceeded, so that a 1.1 criterion reads them
 * as evaluation errors) and never quote the document, which may hold personal data.
 */
export function xmlDocumentOf(context: unknown, where: string, parseXml: (text: string) => unknown, fresh = false): unknown {
  if (typeof context !== 'string') {
    throw expressionError(`${where}: the context is ${kindOf(context)}, not XML text (only a response with a JSON media type is parsed; XML stays text)`);
  }
  if (context.length > MAX_XML_CHARS) {
    throw boundExceeded('the XML size an XPath reads', `${where}: the context is ${context.length} characters of XML, over the ${MAX_XML_CHARS} an XPath reads`);
  }
  if (!fresh && last?.text === context && last.parse === parseXml) return last.document;
  let document: unknown;
  try {
    document = parseXml(context);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw expressionError(`${where}: the context is ${err.message}`, { cause: err });
    throw err;
  }
  if (depthOf(document, MAX_XML_DEPTH) > MAX_XML_DEPTH) {
    throw boundExceeded('the XML nesting depth an XPath reads', `${where}: the context nests elements more than ${MAX_XML_DEPTH} deep, past what an XPath reads`);
  }
  if (!fresh) last = { text: context, parse: parseXml, document };
  return document;
}

/**
 * An XPath or JSONPath library's message, cut to one line: the line that names the error (the
 * ones fontoxpath adds before it quote the expression) with quoted text blanked, as a value cast
 * from the document (XPTY0004 "Cannot cast ...") may be personal data.
 */
export function engineMessage(err: unknown): string {
  const text = (err as Error)?.message ?? String(err);
  const line = text.split('\n').find((l) => l.trim() && !/^\s*\d+:|^\s*\^/.test(l))?.trim() ?? 'error';
  // A dynamic error of XPath 3.1 may quote a value of the document without quotes
  // (`FORG0001: Cannot cast <value> to xs:integer`): only its code and the standard's meaning are kept.
  const code = /^(?:Error:\s*)?([A-Z]{4}\d{4})\b/.exec(line)?.[1];
  if (code && !code.startsWith('XPST')) return `${code}: ${DYNAMIC_ERRORS[code] ?? 'a dynamic error (XPath and XQuery Functions and Operators 3.1, Appendix C)'}`;
  const blanked = line.replace(/^Error:\s*/, '').replace(/"[^"]*"|'[^']*'/g, '"…"');
  return blanked.length > 200 ? `${blanked.slice(0, 197)}...` : blanked;
}

/** The meaning of the dynamic and type errors a condition or selector most often raises (XPath 3.1 §2.3, F&O 3.1 Appendix C). */
const DYNAMIC_ERRORS: Readonly<Record<string, string>> = {
  FORG0001: 'invalid value for a cast or constructor',
  FORG0006: 'invalid argument type (e.g. no effective boolean value for a sequence of several atomic values)',
  FOAR0001: 'division by zero',
  FOAR0002: 'numeric operation overflow or underflow',
  FOCA0002: 'invalid lexical value',
  XPTY0004: 'a value does not match a required type',
  XPDY0002: 'the context item is absent',
  XPDY0050: 'a treat as expression failed',
  FOER0000: 'unidentified error',
};

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
