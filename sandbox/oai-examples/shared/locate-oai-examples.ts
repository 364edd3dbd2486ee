import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding the OAI Arazzo examples and the OpenAPI descriptions the simulators serve. */
export const OAI_EXAMPLES_DIR = join('test', 'fixtures', 'oai-examples');

/**
 * Finds `test/fixtures/oai-examples` by walking up from this module, so the simulators work from
 * the sources (`sandbox/oai-examples/shared/`) and from the build (`dist/sandbox/...`).
 */
export function locateOaiExamples(marker: string, start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start, depth = 0; depth < 10; dir = dirname(dir), depth++) {
    const candidate = join(dir, OAI_EXAMPLES_DIR);
    if (existsSync(join(candidate, marker))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`cannot find ${OAI_EXAMPLES_DIR}/${marker} above ${start}; pass openApiDir`);
}
