import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// The XPath libraries and the RE2 engine of regex criteria: most operations never need them.
const XML_LIBRARIES = /^node_modules\/(?:xpath|fontoxpath|@xmldom\/xmldom|re2js)\//;

describe('xpath and regex libraries in the operation bundle', () => {
  it('are reached from the operation handler only through a dynamic import', async () => {
    const result = await build({
      entryPoints: ['functions/runtime/handle-step.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = result.metafile.inputs;
    const entry = 'functions/runtime/handle-step.ts';
    const eager = new Set<string>([entry]);
    const lazy = new Set<string>();
    const queue = [entry];
    while (queue.length) {
      for (const edge of inputs[queue.shift()!]?.imports ?? []) {
        if (edge.external) continue;
        if (edge.kind === 'dynamic-import') lazy.add(edge.path);
        else if (!eager.has(edge.path)) {
          eager.add(edge.path);
          queue.push(edge.path);
        }
      }
    }
    expect([...eager].filter((path) => XML_LIBRARIES.test(path))).toEqual([]);
    // The bundler must still see both imports, so a bundle that needs them can carry them.
    expect([...lazy].filter((path) => XML_LIBRARIES.test(path)).map((path) => path.split('/')[1])).toEqual(
      expect.arrayContaining(['xpath', 'fontoxpath', '@xmldom', 're2js']),
    );
  });
});
