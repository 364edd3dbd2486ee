import { fileURLToPath } from 'node:url';

/**
 * Where the construct finds the Lambda entry points it bundles: in its own package, located from
 * this module, never from the app that uses it. Three layouts put this module in `infra/cdk/` of
 * the same tree, so the same relative paths serve all of them:
 * - the sources (`infra/cdk/*.ts`, run by tsx or vitest): entries `functions/handlers/*.ts`;
 * - the build (`dist/infra/cdk/*.js`, and the CommonJS bundle `dist/infra/cdk/index.cjs`, whose
 *   `import.meta.url` is the bundle's own): entries `dist/functions/handlers/*.js`, as tsc emits
 *   them and as the package ships them.
 */
const fromSource = import.meta.url.endsWith('.ts');

/** The entry module of a kind of function (`operation`, `workflow`, `webhook`, `starter`). */
export function handlerEntry(kind: 'operation' | 'workflow' | 'webhook' | 'starter' | 'broker'): string {
  return fileURLToPath(new URL(`../../functions/handlers/${kind}.${fromSource ? 'ts' : 'js'}`, import.meta.url));
}

/** The package's root directory (the one holding its package.json): the bundling's project root. */
export function packageRoot(): string {
  return fileURLToPath(new URL(fromSource ? '../..' : '../../..', import.meta.url));
}
