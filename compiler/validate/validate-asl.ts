import { createRequire } from 'node:module';
import type { StateMachineDefinition } from '../emit/emit-asl.js';

const require = createRequire(import.meta.url);

type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => {
  isValid: boolean;
  errors: { Message?: string; message?: string; path?: string; 'Error code'?: string }[];
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

/** Validates emitted ASL with asl-validator (the engine's own validator). It mutates its input, so it gets a copy. */
export function validateAsl(definition: StateMachineDefinition, options: { checkArn?: boolean } = {}): string[] {
  const validator = require('asl-validator') as AslValidator;
  const opts = { checkPaths: true, checkArn: options.checkArn ?? true };
  const { isValid, errors } = withReusedAjv(JSON.stringify(opts), () => validator(structuredClone(definition), opts));
  return isValid ? [] : errors.map((e) => `${e['Error code'] ?? ''} ${e.path ?? ''} ${e.Message ?? e.message ?? JSON.stringify(e)}`.replace(/\s+/g, ' ').trim());
}
