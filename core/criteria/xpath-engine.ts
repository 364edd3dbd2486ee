/**
 * The XML parser and XPath 1.0 evaluator, loaded on first need: most operation bundles never
 * evaluate an xpath criterion, and these libraries (`@xmldom/xmldom`, `xpath`) would otherwise
 * be loaded by every cold start. The specifiers are string literals, so a bundler sees them
 * (esbuild inlines them behind the dynamic import, or leaves them to a chunk or to
 * `externalModules` for operations that do not need them).
 */
import { loadOnce } from '../load-once.js';

/** The few members of a parsed XPath expression used here (the `xpath` package's `parse()` result). */
export interface CompiledXPath {
  evaluate(options: { node: unknown }): { booleanValue(): boolean };
}

export interface XPathEngine {
  /** Throws the library's error on a malformed expression. */
  compile(expression: string): CompiledXPath;
  /** Every node the expression selects as its string value, or its one string, number or boolean. */
  select(expression: string, document: unknown): unknown[];
  /** Throws XmlSyntaxError on a document that is not well-formed; never logs it. */
  parseXml(text: string): unknown;
}

/** Where a document stopped being well-formed; deliberately without the parser's message, which quotes the document. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line ? `not well-formed XML (line ${line}${column ? `, column ${column}` : ''})` : 'not well-formed XML');
  }
}

interface XPathModule {
  parse(expression: string): CompiledXPath;
}

/** What the `xpath` package's evaluate() returns: a node-set, or a string, number or boolean value. */
interface XPathValue {
  toArray?(): unknown[];
  readonly str?: string;
  readonly num?: number;
  readonly b?: boolean;
}

/**
 * The longest XML text an XPath reads, in characters. A parsed document takes several times its
 * text in memory, and a response body may be 5 MiB (send-request.ts): one that a hostile or broken
 * provider pads is refused by name instead of exhausting a 256 MB Lambda.
 */
export const MAX_XML_CHARS = 1_048_576;

/** A node's string value (XPath 1.0 §5, XPath 3.1 fn:string): an attribute's value, an element's text. */
export function stringValueOf(item: unknown): unknown {
  if (item === null || typeof item !== 'object' || typeof (item as { nodeType?: unknown }).nodeType !== 'number') return item;
  const node = item as { nodeType: number; value?: string; textContent?: string | null };
  return node.nodeType === 2 ? (node.value ?? '') : (node.textContent ?? '');
}

/**
 * `parseXml` over xmldom's DOMParser, for both XPath engines: warnings do not make a document
 * unreadable, errors do, and an error is an XmlSyntaxError with the line and column only (the
 * parser's message quotes the document). Nothing is logged either way.
 */
export function xmlTextParser(DOMParser: typeof import('@xmldom/xmldom').DOMParser): (text: string) => unknown {
  const parser = new DOMParser({
    onError: (level) => {
      if (level !== 'warning') throw new XmlSyntaxError();
    },
  });
  return (text) => {
    try {
      return parser.parseFromString(text, 'text/xml');
    } catch (err) {
      const locator = (err as { locator?: { lineNumber?: number; columnNumber?: number } }).locator;
      throw new XmlSyntaxError(locator?.lineNumber || undefined, locator?.columnNumber || undefined);
    }
  };
}


async function load(): Promise<XPathEngine> {
  // `as string` keeps the `xpath` package's typings out of the program: they reference the DOM
  // lib, which would add browser globals to every file. The specifier is still a literal to esbuild.
  const [xpath, { DOMParser }] = await Promise.all([import('xpath' as string) as Promise<XPathModule>, import('@xmldom/xmldom')]);
  return {
    compile: (expression) => xpath.parse(expression),
    // Through parse().evaluate(), as compile() is: prefixes resolve against the document's declarations, as for criteria.
    select(expression, document) {
      const result = xpath.parse(expression).evaluate({ node: document }) as unknown as XPathValue;
      if (typeof result.toArray === 'function') return result.toArray().map(stringValueOf);
      return [result.str ?? result.num ?? result.b];
    },
    parseXml: xmlTextParser(DOMParser),
  };
}

const engine = loadOnce(load);

/** Loads the engine once per process; concurrent callers share the same load. */
export const loadXPathEngine: () => Promise<XPathEngine> = engine.load;

/** The engine if loadXPathEngine has completed, for the synchronous criterion evaluator. */
export const loadedXPathEngine: () => XPathEngine | undefined = engine.loaded;
