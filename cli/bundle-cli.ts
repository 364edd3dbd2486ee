import { build, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESM_REQUIRE_BANNER } from '../infra/esm-require-banner.js';

// cli/ in the sources, dist/cli/ once compiled: the bundle is always built from the sources.
const here = dirname(fileURLToPath(import.meta.url));
const root = basename(dirname(here)) === 'dist' ? join(here, '..', '..') : join(here, '..');

/**
 * The embedded engine imports `@aws-sdk/client-lambda` and `@aws-sdk/credential-providers` at
 * its top level to invoke real Lambda functions for Task states without a local handler. The
 * local runner gives every Task state a handler (local/create-local-handlers.ts), so those
 * clients are never used, yet loading them is a third of the engine's start-up. They are
 * replaced by a module that refuses: a local run can never call AWS by accident.
 */
const noAwsFromTheEngine: Plugin = {
  name: 'no-aws-from-the-embedded-engine',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/(client-lambda|credential-providers)$/ }, (args) =>
      args.importer.includes('aws-local-stepfunctions') ? { path: args.path, namespace: 'refused-aws-client' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'refused-aws-client' }, () => ({
      contents: `
        const refuse = () => { throw new Error('arazzo-sfn runs Task states with local handlers; the embedded engine may not call AWS Lambda'); };
        export class LambdaClient { constructor() { refuse(); } }
        export class InvokeCommand { constructor() { refuse(); } }
        export const fromCognitoIdentityPool = refuse;`,
      loader: 'js',
    }));
  },
};

/**
 * Bundles the CLI into dist/bin: one ES module per command (split at cli.ts's dynamic imports)
 * plus shared chunks, so a command loads a few files instead of resolving some thousand modules
 * of node_modules one by one, which is most of a cold `run`.
 */
export async function bundleCli(outdir: string = join(root, 'dist', 'bin')): Promise<void> {
  await build({
    // The local endpoint's engine worker is an entry of its own, beside the chunk that starts it
    // (local/sfn-endpoint/engine/engine-pool.ts resolves ./engine-worker.js from its own URL).
    entryPoints: { main: join(root, 'cli', 'main.ts'), 'engine-worker': join(root, 'local', 'sfn-endpoint', 'engine', 'engine-worker.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    banner: { js: ESM_REQUIRE_BANNER },
    // Loaded lazily by the criteria module only when a workflow has xpath criteria.
    external: ['xpath', 'fontoxpath', '@xmldom/xmldom'],
    plugins: [noAwsFromTheEngine],
    // The compile cache fingerprints the bundle's chunks instead of the compiler's sources, and
    // `--version` needs no package.json at run time.
    define: {
      __ARAZZO_SFN_BUNDLE__: 'true',
      __ARAZZO_SFN_VERSION__: JSON.stringify((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version),
    },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await bundleCli(process.argv[2]);
