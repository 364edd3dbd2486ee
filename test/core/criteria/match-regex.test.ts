import { beforeAll, describe, expect, it } from 'vitest';
import { compileRegex, mayBacktrackCatastrophically, prepareCriteria } from '../../../core/criteria/index.js';

describe('compileRegex', () => {
  beforeAll(async () => {
    // What the handler does before evaluating a step with a regex criterion.
    await prepareCriteria({ stepId: 's', successCriteria: [{ type: 'regex', condition: 'x', context: '$statusCode' }], onSuccess: [], onFailure: [] });
  });

  it('answers a catastrophic pattern in linear time on the RE2 engine', () => {
    const regex = compileRegex('^(a+)+$');
    expect(regex.linear).toBe(true);
    const started = performance.now();
    expect(regex.test(`${'a'.repeat(40)}!`)).toBe(false);
    expect(regex.test('a'.repeat(100_000))).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('stops a backtracking pattern RE2 cannot run at its budget, with Arazzo.Expression', () => {
    // A back-reference keeps the pattern on ECMA-262's engine.
    const regex = compileRegex('^((a+)+)\\1$', 300); // 300 ms: enough for 'aaaa' on a loaded machine, far too little for the 40-character backtrack
    expect(regex.linear).toBe(false);
    expect(() => regex.test(`${'a'.repeat(40)}!`)).toThrow(expect.objectContaining({ name: 'Arazzo.Expression', message: expect.stringContaining('300 ms budget') }));
    // The budget stops only that evaluation: the next one runs.
    expect(regex.test('aaaa')).toBe(true);
  });

  it('falls back to the budgeted engine on texts where the engines disagree, with the ECMA-262 answer', () => {
    const regex = compileRegex('^a.b$');
    expect(regex.linear).toBe(true);
    expect(regex.test('a\rb')).toBe(false); // ECMA-262: `.` excludes \r; RE2's matches it
    expect(regex.test('a😀b')).toBe(false); // two UTF-16 code units
    expect(compileRegex('^\\s$').test('\u00a0')).toBe(true);
    // The budget here is generous on purpose: this case is about the fallback's answer, and a 50 ms
    // wall-clock budget can trip on a loaded machine even for five characters.
    expect(compileRegex('^(a+)+$', 5_000).test(`${'a'.repeat(5)}\u00a0`)).toBe(false);
  });

  it('gives ECMA-262 answers for escapes RE2 reads differently, and refuses no ECMA-262 pattern', () => {
    const cases: [string, string, boolean][] = [
      ['^\\a$', 'a', true], // identity escape in ECMA-262, a bell in RE2
      ['^a\\z', 'az', true],
      ['^\\p{L}$', 'p{L}', true],
      ['(?<=x)y', 'xy', true],
      ['(?!x)y', 'y', true],
      ['^\\u0041$', 'A', true],
      ['^a{1001}$', 'a'.repeat(1001), true],
      ['^(pending|verified)$', 'verified', true],
      ['^\\d{3}-\\w+\\s\\S$', '123-abc x', true],
      ['[\\b]', '\b', true],
    ];
    for (const [pattern, text, expected] of cases) expect([pattern, compileRegex(pattern).test(text)]).toEqual([pattern, expected]);
  });

  it('throws Arazzo.Expression for a pattern ECMA-262 rejects', () => {
    expect(() => compileRegex('(')).toThrow(expect.objectContaining({ name: 'Arazzo.Expression' }));
  });
});

describe('mayBacktrackCatastrophically', () => {
  it.each([
    ['^(a+)+$', true],
    ['(a*)*', true],
    ['(a|aa)+', true],
    ['^(\\w+\\s?)*$', true],
    ['((ab)+c)+', true],
    ['(a{2,})*', true],
    ['^a+$', false],
    ['^(pending|verified)$', false],
    ['(ab)+', false],
    ['[(a+)]+', false],
    ['\\(a+\\)+', false],
    ['(a+)?', false],
  ])('%s → %s', (pattern, expected) => expect(mayBacktrackCatastrophically(pattern)).toBe(expected));
});
