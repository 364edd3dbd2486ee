import { basename } from 'node:path';
import type { WorkflowPlan } from '../functions/runtime/plan.js';
import { startFintectureSandbox, type FintectureSandbox, type FintectureSandboxOptions } from './fintecture/index.js';

export interface SandboxSet {
  readonly fintecture: FintectureSandbox;
  /** Server URL per source description of `plan` that a simulator serves. */
  serverUrlsFor(plan: WorkflowPlan): Record<string, string>;
  /** Sources of `plan` that no simulator serves. */
  unservedSources(plan: WorkflowPlan): string[];
  close(): Promise<void>;
}

export interface SandboxSetOptions {
  readonly host?: string;
  readonly fintecture?: FintectureSandboxOptions;
}

/** Which simulator serves an OpenAPI description, by its file name as the workflows name it. */
const SIMULATOR_BY_DESCRIPTION: readonly [RegExp, 'fintecture'][] = [[/^fintecture-.*\.ya?ml$/i, 'fintecture']];

/** Starts every provider simulator on loopback (ephemeral ports unless given). */
export async function startSandboxes(options: SandboxSetOptions = {}): Promise<SandboxSet> {
  const fintecture = await startFintectureSandbox({ host: options.host, ...options.fintecture });
  const urls = { fintecture: fintecture.url };
  const simulatorFor = (url: string) => SIMULATOR_BY_DESCRIPTION.find(([pattern]) => pattern.test(basename(url)))?.[1];
  return {
    fintecture,
    serverUrlsFor: (plan) =>
      Object.fromEntries(plan.sources.flatMap((s) => (simulatorFor(s.url) ? [[s.name, urls[simulatorFor(s.url)!]]] : []))),
    unservedSources: (plan) => plan.sources.filter((s) => !simulatorFor(s.url)).map((s) => s.name),
    close: async () => {
      await fintecture.close();
    },
  };
}
