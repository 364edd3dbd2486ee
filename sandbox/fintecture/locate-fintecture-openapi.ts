import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FINTECTURE_OPENAPI_FILES = {
  oauth: 'fintecture-oauth-api-openapi.yml',
  customers: 'fintecture-customers-api-openapi.yml',
  pis: 'fintecture-pis-api-openapi.yml',
} as const;

/**
 * The project's `workflows/openapi` folder, found by walking up from this module, so it works
 * from the sources (`sandbox/fintecture/`) and from the build (`dist/sandbox/fintecture/`).
 */
export function locateFintectureOpenApi(start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start, depth = 0; depth < 8; dir = dirname(dir), depth++) {
    const candidate = join(dir, 'workflows', 'openapi');
    if (existsSync(join(candidate, FINTECTURE_OPENAPI_FILES.customers))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`cannot find workflows/openapi/${FINTECTURE_OPENAPI_FILES.customers} above ${start}; pass openApiDir`);
}
