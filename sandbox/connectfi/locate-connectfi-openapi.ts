import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONNECTFI_OPENAPI_FILE = 'connectfi-kyc-openapi.yml';

/**
 * The project's `workflows/openapi` folder, found by walking up from this module, so it works
 * from the sources (`sandbox/connectfi/`) and from the build (`dist/sandbox/connectfi/`).
 */
export function locateConnectFiOpenApi(start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start, depth = 0; depth < 8; dir = dirname(dir), depth++) {
    const candidate = join(dir, 'workflows', 'openapi');
    if (existsSync(join(candidate, CONNECTFI_OPENAPI_FILE))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`cannot find workflows/openapi/${CONNECTFI_OPENAPI_FILE} above ${start}; pass openApiDir`);
}
