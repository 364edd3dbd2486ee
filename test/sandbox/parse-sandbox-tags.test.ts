import { describe, expect, it } from 'vitest';
import { parseSandboxTags } from '../../sandbox/index.js';

describe('parseSandboxTags', () => {
  it('reads pending count and outcome', () => {
    expect(parseSandboxTags('jane+pending3+failed@example.com')).toEqual({ pendingPolls: 3, verificationOutcome: 'failed' });
  });

  it('reads never, scores and payment statuses, without case', () => {
    expect(parseSandboxTags('x+NEVER+Score75@example.com')).toEqual({ pendingPolls: Infinity, matchScore: 0.75 });
    expect(parseSandboxTags('p+payment_unsuccessful@example.com')).toEqual({ paymentStatus: 'payment_unsuccessful' });
  });

  it('ignores ordinary sub-addressing, out-of-range scores and addresses without tags', () => {
    expect(parseSandboxTags('jane+newsletter@example.com')).toEqual({});
    expect(parseSandboxTags('jane+score101@example.com')).toEqual({});
    expect(parseSandboxTags('jane@example.com')).toEqual({});
    expect(parseSandboxTags(undefined)).toEqual({});
  });

  it('lets the last of repeated tags win', () => {
    expect(parseSandboxTags('j+pending1+pending4+verified+unverified@example.com')).toEqual({ pendingPolls: 4, verificationOutcome: 'unverified' });
  });
});
