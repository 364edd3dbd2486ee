import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFile, compileFileOrThrow, type CompileResult, type CompiledWorkflow } from '../../../compiler/index.js';
import type { CompileOptions } from '../../../compiler/plan/compile-options.js';

/**
 * OpenAPI descriptions to write beside the Arazzo file: one text (written as `openapi.yml`, so
 * the Arazzo document names it `./openapi.yml`), or file name → text for several sources.
 */
export type OpenApiFiles = string | Readonly<Record<string, string>>;

/** Writes the documents to a fresh temporary directory, runs `use` on the Arazzo file's path, removes the directory. */
export async function withWorkflowFiles<T>(arazzoYaml: string, openapi: OpenApiFiles, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'arazzo-construct-'));
  try {
    const files = typeof openapi === 'string' ? { 'openapi.yml': openapi } : openapi;
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const file = join(dir, 'workflow.arazzo.yml');
    await writeFile(file, arazzoYaml);
    // The compiler reads every document up front, so the directory can go once it returns.
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Compiles the document's only workflow; throws (CompileError) on any compile error. */
export async function compileWorkflow(arazzoYaml: string, openapi: OpenApiFiles, options: CompileOptions = {}): Promise<CompiledWorkflow> {
  const result = await withWorkflowFiles(arazzoYaml, openapi, (file) => compileFileOrThrow(file, options));
  if (result.workflows.length !== 1) throw new Error(`expected one workflow, got ${result.workflows.length}`);
  return result.workflows[0];
}

/** Compiles without throwing: the workflows and every diagnostic (errors and warnings). */
export function compileWorkflowResult(arazzoYaml: string, openapi: OpenApiFiles, options: CompileOptions = {}): Promise<CompileResult> {
  return withWorkflowFiles(arazzoYaml, openapi, (file) => compileFile(file, options));
}
