import { join } from 'node:path';
import { formatDiagnostic, hasErrors } from '../../compiler/diagnostics/index.js';
import { loadOpenApi, type LoadedOpenApi } from '../../compiler/load/index.js';

/**
 * Loads a simulator's OpenAPI descriptions (name -> file in `dir`). A description that does not
 * load stops the start with its diagnostics: a simulator that routed only part of its API would
 * answer 404 where the provider would not.
 */
export async function loadSandboxDescriptions(
  dir: string,
  files: Readonly<Record<string, string>>,
  simulator: string,
): Promise<{ name: string; openapi: LoadedOpenApi }[]> {
  return Promise.all(
    Object.entries(files).map(async ([name, file]) => {
      const { openapi, diagnostics } = await loadOpenApi(join(dir, file));
      if (!openapi || hasErrors(diagnostics)) {
        throw new Error(`cannot load ${file} for the ${simulator} sandbox:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
      }
      return { name, openapi };
    }),
  );
}
