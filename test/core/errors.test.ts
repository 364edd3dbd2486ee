import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFileOrThrow } from '../../compiler/index.js';
import { CompileError } from '../../compiler/diagnostics/diagnostic.js';
import {
  ArazzoError,
  ArazzoRuntimeError,
  ErrorCodes,
  isErrorCode,
  isRetryable,
  providerUnavailable,
  RETRYABLE_ERROR_CODES,
  stepFailed,
  unexpectedContentType,
} from '../../core/errors.js';
import { ExpressionSyntaxError } from '../../core/expressions/expression-syntax-error.js';
const SEED_001 = join(import.meta.dirname, '../../workflows/arazzo/token-then-payment.arazzo.yml');

describe('the error hierarchy', () => {
  it('gives each runtime error its code as name and the retryable flag of that code', () => {
    const err = providerUnavailable('POST /payments failed: ECONNRESET');
    expect(err).toBeInstanceOf(ArazzoRuntimeError);
    expect(err).toBeInstanceOf(ArazzoError);
    expect(err.name).toBe('Arazzo.ProviderUnavailable');
    expect(err.retryable).toBe(true);
    expect(unexpectedContentType('x').retryable).toBe(true);
    expect(stepFailed('x').retryable).toBe(false);
    expect(new ArazzoRuntimeError(ErrorCodes.Secret, 'x').retryable).toBe(false);
  });

  it('keeps the underlying fault as the standard cause, and none when there is none', () => {
    const fault = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(providerUnavailable('POST /payments failed: ECONNRESET', { cause: fault }).cause).toBe(fault);
    expect('cause' in stepFailed('x')).toBe(false);
  });

  it('lists exactly the retryable codes for the Task Retry, in declaration order', () => {
    expect(RETRYABLE_ERROR_CODES).toEqual([ErrorCodes.ProviderUnavailable, ErrorCodes.UnexpectedContentType]);
    for (const code of Object.values(ErrorCodes)) expect(isRetryable(code)).toBe(RETRYABLE_ERROR_CODES.includes(code));
  });

  it('tells its own errors by class, not by a name any error could carry', () => {
    const impostor = Object.assign(new Error('x'), { name: ErrorCodes.StepFailed });
    expect(isErrorCode(impostor, ErrorCodes.StepFailed)).toBe(false);
    expect(isErrorCode(stepFailed('x'), ErrorCodes.StepFailed)).toBe(true);
    expect(isErrorCode(stepFailed('x'), ErrorCodes.Plan)).toBe(false);
    expect(isErrorCode(new ExpressionSyntaxError('bad', 3), ErrorCodes.Expression)).toBe(true);
  });

  it('puts compile errors in the same hierarchy', () => {
    const err = new CompileError([]);
    expect(err).toBeInstanceOf(ArazzoError);
    expect(err).not.toBeInstanceOf(ArazzoRuntimeError);
    expect(err.name).toBe('CompileError');
  });

  it('drives the provider-fault Retry the emitter writes from the retryable codes', async () => {
    // seed 001's payment POST carries an idempotency key, so its Task retries provider faults
    const { workflows } = await compileFileOrThrow(SEED_001);
    const retries = workflows.flatMap((w) => Object.values(w.definition.States)).flatMap((s) => (s.Retry as { ErrorEquals: string[] }[] | undefined) ?? []);
    const providerRetries = retries.filter((r) => r.ErrorEquals.some((e) => e.startsWith('Arazzo.')));
    expect(providerRetries.length).toBeGreaterThan(0);
    for (const r of providerRetries) expect(r.ErrorEquals).toEqual(RETRYABLE_ERROR_CODES);
  });
});
