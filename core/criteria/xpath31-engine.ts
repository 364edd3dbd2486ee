/**
 * XPath 3.1 (fontoxpath) over @xmldom/xmldom documents, loaded on first need, as the XPath 1.0
 * engine is (xpath-engine.ts): an operation bundle that evaluates no XPath never loads either,
 * and esbuild leaves both out of it (infra: `externalModules`). Arazzo 1.1 names XPath 3.1 the
 * default version of `xpath` criteria and selectors; 3.0 and 2.0 expressions are read by the same
 * engine, which is what their later versions keep of them.
 */
import { loadOnce } from '../load-once.js';
import { stringValueOf, xmlTextParser } from './xpath-engine.js';

/** The few members of fontoxpath used here (its typings reference the DOM lib, kept out of the program). */
interface FontoXPath {
  evaluateXPath: ((expression: string, node: unknown, domFacade: null, variables: null, returnType: number, options: object) => unknown) & {
    ALL_RESULTS_TYPE: number;
    BOOLEAN_TYPE: number;
    NODES_TYPE: number;
  };
}

interface XmlNode {
  readonly nodeType: number;
  textContent: string | null;
  value?: string;
  readonly documentElement?: XmlNode | null;
  lookupNamespaceURI?(prefix: string | null): string | null;
}

export interface XPath31Engine {
  /** Every item of the result: a node as its string value, an atomic value as itself, a map or array as JSON. */
  select(expression: string, document: unknown): unknown[];
  /** The result's effective boolean value (XPath 3.1 §2.4.3): FORG0006 for a sequence that has none. */
  test(expression: string, document: unknown): boolean;
  /** Sets the text of every node the expression selects (an attribute's value, an element's content); returns how many. */
  replace(expression: string, document: unknown, value: string): number;
  /** Throws XmlSyntaxError on a document that is not well-formed; never logs it. */
  parseXml(text: string): unknown;
  serialize(document: unknown): string;
}

const ATTRIBUTE = 2;

/** Prefixes resolve against the namespace declarations in scope at the document element, as the XPath 1.0 engine does. */
function resolverFor(document: unknown): (prefix: string) => string | null {
  const root = (document as XmlNode).documentElement ?? (document as XmlNode);
  return (prefix) => (prefix ? (root.lookupNamespaceURI?.(prefix) ?? null) : null);
}

function itemValue(item: unknown): unknown {
  if (item !== null && typeof item === 'object' && typeof (item as XmlNode).nodeType === 'number') return stringValueOf(item);
  if (item instanceof Date) return item.toISOString();
  if (Array.isArray(item)) return item.map(itemValue);
  if (item !== null && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, itemValue(v)]));
  return item;
}


async function load(): Promise<XPath31Engine> {
  const [fontoxpath, { DOMParser, XMLSerializer }] = await Promise.all([
    import('fontoxpath' as string).then((m: { default?: FontoXPath } & FontoXPath) => m.default ?? m),
    import('@xmldom/xmldom'),
  ]);
  const { evaluateXPath } = fontoxpath;
  const run = (expression: string, document: unknown, type: number) =>
    evaluateXPath(expression, document, null, null, type, { namespaceResolver: resolverFor(document), language: 'XPath3.1' });
  return {
    select: (expression, document) => (run(expression, document, evaluateXPath.ALL_RESULTS_TYPE) as unknown[]).map(itemValue),
    test: (expression, document) => run(expression, document, evaluateXPath.BOOLEAN_TYPE) as boolean,
    replace(expression, document, value) {
      const nodes = run(expression, document, evaluateXPath.NODES_TYPE) as XmlNode[];
      for (const node of nodes) {
        if (node.nodeType === ATTRIBUTE) node.value = value;
        else node.textContent = value;
      }
      return nodes.length;
    },
    parseXml: xmlTextParser(DOMParser),
    serialize: (document) => new XMLSerializer().serializeToString(document as never),
  };
}

const engine = loadOnce(load);

/** Loads the engine once per process; concurrent callers share the same load. */
export const loadXPath31Engine: () => Promise<XPath31Engine> = engine.load;

/** The engine if loadXPath31Engine has completed, for the synchronous evaluators. */
export const loadedXPath31Engine: () => XPath31Engine | undefined = engine.loaded;
