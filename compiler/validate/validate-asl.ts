import { createRequire } from 'node:module';
import type { StateMachineDefinition } from '../emit/emit-asl.js';

const require = createRequire(import.meta.url);

type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => {
  isValid: boolean;
  errors: { Message?: string; message?: string; path?: string; 'Error code'?: string; schemaError?: { instancePath?: string } }[];
};

type AjvClass = new (options: unknown) => object;

/**
 * asl-validator 4.0.0 builds a new Ajv and recompiles its 15 schemas on every call (~45 ms, most
 * of a compilation; bench/compile.ts). It reads the Ajv class from the shared `ajv` module at
 * call time, so during a call we hand it one instance per option set, kept for the process:
 * the library's own schemas, formats and error selection run unchanged, compiled once.
 */
const ajvModule = require('ajv') as { default: AjvClass };
const instances = new Map<string, object>();

function withReusedAjv<T>(key: string, run: () => T): T {
  const Ajv = ajvModule.default;
  ajvModule.default = function ReusedAjv(options: unknown) {
    const instance = instances.get(key);
    if (!instance) {
      const created = new Ajv(options);
      instances.set(key, created);
      return created;
    }
    // The library then re-registers its formats and keywords: the instance already has them (same option set), and Ajv refuses a keyword twice.
    return new Proxy(instance, {
      get: (target, prop, receiver) =>
        prop === 'addFormat' || prop === 'addKeyword' || prop === 'addSchema' ? () => receiver : Reflect.get(target, prop, target),
    });
  } as unknown as AjvClass;
  try {
    return run();
  } finally {
    ajvModule.default = Ajv;
  }
}

/** One problem asl-validator found: its error code, where (a JSON pointer or its own path), and its message. */
export interface AslProblem {
  readonly code: string;
  readonly location?: string;
  /** asl-validator's own `path`, when it gives one. */
  readonly path?: string;
  readonly message: string;
}

/** The problems asl-validator finds in a definition (the engine's own validator). It mutates its input, so it gets a copy. */
export function aslProblems(definition: StateMachineDefinition, options: { checkArn?: boolean } = {}): AslProblem[] {
  const validator = require('asl-validator') as AslValidator;
  const opts = { checkPaths: true, checkArn: options.checkArn ?? true };
  const { isValid, errors } = withReusedAjv(JSON.stringify(opts), () => validator(structuredClone(definition), opts));
  if (isValid) return [];
  return errors.map((e) => {
    const location = e.schemaError?.instancePath || e.path;
    return { code: e['Error code'] ?? '', ...(location ? { location } : {}), ...(e.path ? { path: e.path } : {}), message: e.Message ?? e.message ?? JSON.stringify(e) };
  });
}

/** asl-validator's problems as one line each. */
export function validateAsl(definition: StateMachineDefinition, options: { checkArn?: boolean } = {}): string[] {
  return aslProblems(definition, options).map((p) => `${p.code} ${p.path ?? ''} ${p.message}`.replace(/\s+/g, ' ').trim());
}
