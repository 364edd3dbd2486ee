import type { ExpressionVersion } from '../plan.js';

/** Every package an XPath engine loads lazily (xpath-engine.ts, xpath31-engine.ts). */
export const XML_LIBRARIES = ['xpath', 'fontoxpath', '@xmldom/xmldom'] as const;

/**
 * The lazily loaded XML packages that steps evaluating these XPath versions need: a bundler
 * leaves the others out (esbuild `external`), so a function that evaluates no XPath carries none.
 */
export function xmlLibrariesFor(versions: Iterable<ExpressionVersion>): (typeof XML_LIBRARIES)[number][] {
  const all = [...versions];
  if (!all.length) return [];
  return [...(all.includes('xpath-10') ? (['xpath'] as const) : []), ...(all.some((v) => v !== 'xpath-10') ? (['fontoxpath'] as const) : []), '@xmldom/xmldom'];
}
