import { build } from 'esbuild';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// infra/ in the sources, dist/infra/ once compiled: the bundle is always built from the sources.
const here = dirname(fileURLToPath(import.meta.url));
const root = basename(dirname(here)) === 'dist' ? join(here, '..', '..') : join(here, '..');

/**
 * The construct as one CommonJS module, `dist/infra/cdk/index.cjs`, for apps that `require` it:
 * what `cdk init app --language typescript` makes is CommonJS and tests with Jest, whose module
 * system cannot load an ES module. The ES build (tsc's `dist/infra/cdk/index.js`) serves `import`.
 * Every package stays external (aws-cdk-lib and constructs must be the app's own copies).
 * The bundle sits beside the ES modules of `infra/cdk/`, and `import.meta.url` becomes its own
 * URL, so the paths the construct resolves from its location (package-paths.ts, the compiler
 * process of compile-workflow-sync.ts) are the same in both builds.
 */
export async function bundleConstructCommonJs(outfile: string = join(root, 'dist', 'infra', 'cdk', 'index.cjs')): Promise<void> {
  const result = await build({
    entryPoints: [join(root, 'infra', 'cdk', 'index.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    banner: { js: "const __arazzoImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__arazzoImportMetaUrl' },
    logLevel: 'silent',
  });
  // Any other use of import.meta would be an empty object in CommonJS: refuse to ship that.
  if (result.warnings.length) throw new Error(`bundling the construct as CommonJS: ${result.warnings.map((w) => w.text).join('; ')}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await bundleConstructCommonJs(process.argv[2]);
