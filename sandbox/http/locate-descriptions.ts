import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findUp } from '../../core/find-up.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The folder `folder` (relative to the project root, e.g. `workflows/openapi`) that holds `marker`,
 * found by walking up from `start`, so a simulator works from the sources (`sandbox/…`) and from
 * the build (`dist/sandbox/…`) alike. Throws naming the option that sets the folder instead.
 */
export function locateDescriptions(folder: string, marker: string, start: string = HERE): string {
  const found = findUp(start, join(folder, marker));
  if (!found) throw new Error(`cannot find ${folder}/${marker} above ${start}; pass openApiDir`);
  return dirname(found);
}
