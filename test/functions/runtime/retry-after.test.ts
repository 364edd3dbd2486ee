import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../functions/runtime/http/retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds and an IMF-fixdate (counted from now, a past date as 0)', () => {
    expect(parseRetryAfter('5', now)).toBe(5);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('gives no hint for anything else', () => {
    for (const v of [undefined, '', '-1', '1.5', 'soon', '2026-01-01T00:00:30Z', '99999999999', 'Thu, 01 Jan 2026 99:00:30 GMT']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});
