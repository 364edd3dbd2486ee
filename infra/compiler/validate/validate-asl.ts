import { createRequire } from 'node:module';
import type { StateMachineDefinition } from '../emit/emit-asl.js';

const require = createRequire(import.meta.url);

type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => {
  isValid: boolean;
  errors: { message?: string; path?: string; 'Error code'?: string }[];
};

/** Validates emitted ASL with asl-validator (the engine's own validator). It mutates its input, so it gets a copy. */
export function validateAsl(definition: StateMachineDefinition, options: { checkArn?: boolean } = {}): string[] {
  const validator = require('asl-validator') as AslValidator;
  const { isValid, errors } = validator(structuredClone(definition), { checkPaths: true, checkArn: options.checkArn ?? true });
  return isValid ? [] : errors.map((e) => `${e.path ?? ''} ${e.message ?? JSON.stringify(e)}`.trim());
}
