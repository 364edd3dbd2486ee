import type { Diagnostic } from '../diagnostics/index.js';
import { diagnosticAt, type YamlSource } from './parse-yaml-source.js';

/**
 * The URL of an OpenAPI description's first server, with its `{variables}` replaced by their
 * declared `default` (OpenAPI 3.x: "This value MUST be provided by the consumer" when no other is
 * given; every variable MUST have one). A `{name}` left over — undeclared, or with no default —
 * or a stray brace would otherwise reach the runtime as a URL that undici refuses
 * (`ERR_INVALID_URL`) on the first call: it is a compile error at the URL, instead.
 */
export function resolveServerUrl(source: YamlSource, document: Record<string, any>): { url: string; diagnostics: Diagnostic[] } {
  const server = Array.isArray(document.servers) ? document.servers[0] : undefined;
  if (!server || typeof server !== 'object' || typeof server.url !== 'string') return { url: '', diagnostics: [] };
  const variables: Record<string, { default?: unknown } | undefined> = server.variables && typeof server.variables === 'object' ? server.variables : {};
  const unset: string[] = [];
  const url = (server.url as string).replace(/\{([^{}]*)\}/g, (whole, name: string) => {
    const value = Object.hasOwn(variables, name) ? variables[name]?.default : undefined;
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    unset.push(name);
    return whole;
  });
  const diagnostics: Diagnostic[] = [];
  const at = '/servers/0/url';
  if (unset.length) {
    const names = unset.map((n) => `{${n}}`).join(', ');
    diagnostics.push(
      diagnosticAt(
        source,
        at,
        'serverUrl',
        `servers[0].url has ${unset.length === 1 ? 'a variable' : 'variables'} ${names} with no default: declare ${unset.length === 1 ? 'it' : 'them'} under servers[0].variables with a default (OpenAPI requires one), or write the URL in full`,
      ),
    );
  } else if (/[{}]/.test(url)) {
    diagnostics.push(diagnosticAt(source, at, 'serverUrl', 'servers[0].url has an unmatched { or }: a server variable is written {name}'));
  }
  return { url, diagnostics };
}
