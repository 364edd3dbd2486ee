/**
 * The XML libraries an XPath needs go into a function's bundle only when its steps evaluate that
 * version (criteria, Selector Objects, replacement targets): checked on the functions the construct
 * plans for the Selector Object examples, and on esbuild bundles made with each function's
 * `externalModules` as the construct passes them.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../../compiler/index.js';
import { XML_LIBRARIES } from '../../../core/criteria/xml-libraries.js';
import { PlanDefines } from '../../../functions/handlers/environment.js';
import { planFunctions } from '../../../infra/cdk/plan-functions.js';
import { handlerEntry } from '../../../infra/cdk/package-paths.js';

const FILE = 'test/fixtures/oai-examples/selectors.arazzo.yaml';

describe('XML libraries in the operation bundles', () => {
  it('are planned only for the functions whose steps evaluate XPath, per version', async () => {
    const [compiled] = (await compileFileOrThrow(FILE)).workflows;
    const libraries = Object.fromEntries(planFunctions(compiled).map((s) => [s.functionKey, s.xmlLibraries]));
    expect(libraries).toEqual({
      'invoices.getUser': [],
      // An XPath 3.1 criterion, an XPath 1.0 criterion and XPath selectors.
      'invoices.fetchXml': ['xpath', 'fontoxpath', '@xmldom/xmldom'],
      // Its parameter is an XPath selector over the invoice.
      'invoices.getInventory': ['fontoxpath', '@xmldom/xmldom'],
      'invoices.createOrder': ['fontoxpath', '@xmldom/xmldom'],
      'invoices.sendEnvelope': ['fontoxpath', '@xmldom/xmldom'],
      'orderFromInvoice.workflow': [],
    });
  });

  it('leave fontoxpath, xpath and xmldom out of a bundle whose steps evaluate no XPath, and carry them where they do', async () => {
    const [compiled] = (await compileFileOrThrow(FILE)).workflows;
    const specs = planFunctions(compiled).filter((s) => s.kind === 'operation');
    const bundled = async (key: string) => {
      const spec = specs.find((s) => s.functionKey === key)!;
      const steps = spec.kind === 'operation' ? spec.steps : [];
      const result = await build({
        entryPoints: [handlerEntry('operation')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        write: false,
        metafile: true,
        logLevel: 'silent',
        external: ['@aws-sdk/*', ...XML_LIBRARIES.filter((name) => !spec.xmlLibraries.includes(name)), 're2js'],
        define: { [PlanDefines.stepPlans]: JSON.stringify(JSON.stringify(steps)) },
      });
      const packages = new Set(Object.keys(result.metafile.inputs).flatMap((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? []));
      return { packages, bytes: result.outputFiles[0].contents.byteLength };
    };
    const json = await bundled('invoices.getUser');
    const xml = await bundled('invoices.fetchXml');
    for (const name of XML_LIBRARIES) {
      expect(json.packages.has(name), `${name} in getUser`).toBe(false);
      expect(xml.packages.has(name), `${name} in fetchXml`).toBe(true);
    }
    // fontoxpath alone is most of a megabyte of JavaScript.
    expect(xml.bytes - json.bytes).toBeGreaterThan(500_000);
  }, 60_000);
});
