import type { Diagnostic } from '../diagnostics/index.js';
import type { LoadedArazzo } from '../load/load-arazzo.js';
import type { OpenApiOperation } from '../load/load-openapi.js';
import { decodePointer, diagnosticAt, encodePointer } from '../load/parse-yaml-source.js';
import type { ArazzoStep } from '../validate/arazzo-schema.js';
import { qualifiedSource, sourceNames, sourcePath } from './source-reference.js';

export interface BoundOperation {
  readonly source: string;
  readonly serverUrl: string;
  readonly operation: OpenApiOperation;
}

/** Respect's short form of a qualified operationId: `<sourceName>.<operationId>`. */
const SOURCE_DOT_OPERATION = /^([A-Za-z0-9_-]+)\.(.+)$/;

/**
 * Binds a step to exactly one OpenAPI operation (Arazzo 1.0.1 §Step Object: operationId,
 * qualified with `$sourceDescriptions.<name>.` when several sources declare it, or operationPath).
 */
export function bindOperation(
  loaded: LoadedArazzo,
  step: ArazzoStep,
  stepPointer: string,
  diagnostics: Diagnostic[],
): BoundOperation | undefined {
  const { source, openapis } = loaded;
  const targets = [step.operationId, step.operationPath, step.workflowId].filter((t) => t !== undefined);
  if (targets.length !== 1) {
    diagnostics.push(
      diagnosticAt(source, stepPointer, 'schema', `step "${step.stepId}" must have exactly one of operationId, operationPath or workflowId (has ${targets.length})`),
    );
    return undefined;
  }
  // A workflowId step runs another workflow: plan/resolve-workflow.ts binds it.
  if (step.workflowId !== undefined) return undefined;

  if (step.operationPath !== undefined) {
    const match = sourcePath(step.operationPath, sourceNames(loaded.document));
    const openapi = match ? openapis.get(match[1]) : undefined;
    if (!match || !openapi) {
      diagnostics.push(
        diagnosticAt(source, `${stepPointer}/operationPath`, 'unknownOperation', `step "${step.stepId}": operationPath must look like {$sourceDescriptions.<name>.url}#/paths/~1path/method and name a known source`),
      );
      return undefined;
    }
    const wanted = encodePointer(decodePointer(match[2]));
    const operation = openapi.operations.find((o) => o.pointer === wanted);
    if (!operation) {
      diagnostics.push(diagnosticAt(source, `${stepPointer}/operationPath`, 'unknownOperation', `step "${step.stepId}": no operation at ${match[2]} in source "${match[1]}"`));
      return undefined;
    }
    if (operation.operationId !== undefined) {
      // Arazzo § Step Object, operationPath: "If the referenced operation has an operationId defined then the operationId SHOULD be preferred".
      diagnostics.push(
        diagnosticAt(source, `${stepPointer}/operationPath`, 'preferOperationId', `step "${step.stepId}": the operation at ${match[2]} has operationId "${operation.operationId}", which Arazzo prefers to operationPath (operationId: $sourceDescriptions.${match[1]}.${operation.operationId})`, 'warning'),
      );
    }
    return { source: match[1], serverUrl: openapi.serverUrl, operation };
  }

  const raw = step.operationId!;
  const qualified = qualifiedSource(raw, sourceNames(loaded.document));
  const candidates: BoundOperation[] = [];
  for (const [name, openapi] of openapis) {
    if (qualified && qualified[1] !== name) continue;
    const operationId = qualified ? qualified[2] : raw;
    for (const operation of openapi.operations) {
      if (operation.operationId === operationId) candidates.push({ source: name, serverUrl: openapi.serverUrl, operation });
    }
  }
  if (candidates.length === 0 && !qualified) {
    // Redocly Respect writes `<sourceName>.<operationId>` for `$sourceDescriptions.<sourceName>.<operationId>`
    // (DESIGN: dialects are read as meant when unambiguous, with a warning naming the standard form).
    // No source declares the id as written, so only the short form's reading is left.
    const short = SOURCE_DOT_OPERATION.exec(raw);
    const openapi = short ? openapis.get(short[1]) : undefined;
    const operation = short && openapi?.operations.find((o) => o.operationId === short[2]);
    if (short && openapi && operation) {
      diagnostics.push(
        diagnosticAt(source, `${stepPointer}/operationId`, 'sourceDotOperationId', `step "${step.stepId}": operationId "${raw}" is read as $sourceDescriptions.${short[1]}.${short[2]} (Respect's short form); write it that way, the form Arazzo defines`, 'warning'),
      );
      return { source: short[1], serverUrl: openapi.serverUrl, operation };
    }
  }
  if (candidates.length === 0) {
    const where = qualified ? `source "${qualified[1]}"` : `any source (${[...openapis.keys()].join(', ') || 'none loaded'})`;
    diagnostics.push(diagnosticAt(source, `${stepPointer}/operationId`, 'unknownOperation', `step "${step.stepId}": operationId "${raw}" is not declared in ${where}`));
    return undefined;
  }
  if (candidates.length > 1) {
    diagnostics.push(
      diagnosticAt(source, `${stepPointer}/operationId`, 'ambiguousOperation', `step "${step.stepId}": operationId "${raw}" is declared by ${candidates.map((c) => c.source).join(' and ')}; qualify it as $sourceDescriptions.<name>.${raw}`),
    );
    return undefined;
  }
  return candidates[0];
}
