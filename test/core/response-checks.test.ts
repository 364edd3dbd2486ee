import { describe, expect, it } from 'vitest';
import { parseCheckSeverities } from '../../core/response-checks.js';

describe('parseCheckSeverities (--severity, the construct prop)', () => {
  it('reads CHECK=severity entries, repeated or comma-separated, in any case', () => {
    expect(parseCheckSeverities(['CONTENT_TYPE_CHECK=error', 'schema_check=Off'])).toEqual({ CONTENT_TYPE_CHECK: 'error', SCHEMA_CHECK: 'off' });
    expect(parseCheckSeverities(['CONTENT_TYPE_CHECK=warn, SCHEMA_CHECK=error'])).toEqual({ CONTENT_TYPE_CHECK: 'warn', SCHEMA_CHECK: 'error' });
    expect(parseCheckSeverities([])).toEqual({});
  });

  it('names an unknown check or severity', () => {
    expect(() => parseCheckSeverities(['STATUS_CODE_CHECK=warn'])).toThrow('unknown check "STATUS_CODE_CHECK" in "STATUS_CODE_CHECK=warn": the checks are CONTENT_TYPE_CHECK, SCHEMA_CHECK');
    expect(() => parseCheckSeverities(['SCHEMA_CHECK=fatal'])).toThrow('"SCHEMA_CHECK=fatal": a check\'s severity is one of error, warn, off');
    expect(() => parseCheckSeverities(['SCHEMA_CHECK'])).toThrow(/severity is one of/);
  });
});
