import { describe, it, expect } from 'vitest';
import { query } from 'jsonpath-rfc9535';
import {
  checkCriterion,
  listCriterionExpressions,
  evaluateCriterion,
  parseJsonPathCondition,
  repairJsonPath,
} from '../../../core/criteria/index.js';
import { formatExpression } from '../../../core/expressions/index.js';
import type { CriterionPlan } from '../../../core/plan.js';

const jsonpath = (condition: string, context = '$response.body'): CriterionPlan => ({ type: 'jsonpath', condition, context });

describe('checkCriterion: simple', () => {
  it('accepts valid conditions', () => {
    expect(checkCriterion({ type: 'simple', condition: '$statusCode == 200' })).toEqual({ problems: [], warnings: [] });
    expect(checkCriterion({ type: 'simple', condition: "$response.body#/a == 'x' && !$inputs.b" })).toEqual({
      problems: [],
      warnings: [],
    });
  });

  it('reports syntax errors with their offset in the condition', () => {
    const { problems } = checkCriterion({ type: 'simple', condition: '$statusCode = 200' });
    expect(problems).toHaveLength(1);
    expect(problems[0].offset).toBe(12);
    expect(problems[0].message).toContain('"=="');
  });
});

describe('checkCriterion: regex', () => {
  it('accepts a valid pattern with a context', () => {
    expect(checkCriterion({ type: 'regex', condition: '^200$', context: '$statusCode' })).toEqual({
      problems: [],
      warnings: [],
    });
  });

  it('requires a context', () => {
    const { problems } = checkCriterion({ type: 'regex', condition: '^200$' });
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('requires a context')]);
  });

  it('reports an invalid pattern and an invalid context', () => {
    const { problems } = checkCriterion({ type: 'regex', condition: '([a-', context: 'statusCode' });
    expect(problems).toHaveLength(2);
    expect(problems[0].message).toContain('context "statusCode" is not a runtime expression');
    expect(problems[1].message).toContain('not an ECMA-262 regular expression');
  });

  it('warns on a nested repetition (regex-backtracking) and still accepts it', () => {
    const { problems, warnings } = checkCriterion({ type: 'regex', condition: '^(a+)+$', context: '$response.body#/name' });
    expect(problems).toEqual([]);
    expect(warnings).toEqual([{ rule: 'regex-backtracking', message: expect.stringContaining('linear-time engine') }]);
  });
});

describe('checkCriterion: jsonpath', () => {
  it('accepts standard RFC 9535 queries without warnings', () => {
    expect(checkCriterion(jsonpath('$[?count(@.pets) > 0]'))).toEqual({ problems: [], warnings: [] });
    expect(checkCriterion(jsonpath('$.pets[?@.status == "sold"]'))).toEqual({ problems: [], warnings: [] });
  });

  it('requires a context', () => {
    const { problems } = checkCriterion({ type: 'jsonpath', condition: '$.a' });
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('requires a context')]);
  });

  it('warns about the non-standard comparison form with its standard equivalent', () => {
    expect(checkCriterion(jsonpath('$.status == "pending"'))).toEqual({
      problems: [],
      warnings: [
        {
          rule: 'jsonpath-rfc9535',
          message:
            'condition "$.status == "pending"" is not RFC 9535 JSONPath; evaluated as $.status == "pending"; the standard form is $[?$.status == "pending"]',
        },
      ],
    });
    expect(checkCriterion(jsonpath('$.status in ["unverified","failed"]')).warnings).toEqual([
      {
        rule: 'jsonpath-rfc9535',
        message:
          'condition "$.status in ["unverified","failed"]" is not RFC 9535 JSONPath; evaluated as $.status in ["unverified","failed"]; the standard form is $[?$.status == "unverified" || $.status == "failed"]',
      },
    ]);
    expect(checkCriterion(jsonpath("$.count != 'x'")).warnings[0].message).toMatch(
      /the standard form is \$\[\?\$\.count && \$\.count != "x"\]$/,
    );
  });

  it('has no standard form when the query is the root itself', () => {
    const { problems, warnings } = checkCriterion(jsonpath('$ == "pending"', '$response.body#/status'));
    expect(problems).toEqual([]);
    expect(warnings[0].message).toContain('RFC 9535 cannot test the root value itself');
  });

  it('reports conditions that are neither form', () => {
    const cases: [string, number][] = [
      ['status == "pending"', 0],
      ['$.status == pending', 12],
      ['$.status in "pending"', 11],
      ['$.status == ["a"]', 11],
      ['$.items[*].status == "x"', 0],
      ['$.status in []', 11],
      ['$[', 2],
    ];
    for (const [condition, offset] of cases) {
      const { problems, warnings } = checkCriterion(jsonpath(condition));
      expect({ condition, count: problems.length, offset: problems[0]?.offset, warnings }).toEqual({
        condition,
        count: 1,
        offset,
        warnings: [],
      });
    }
  });

  describe('the suggested standard form selects a node exactly when the non-standard form holds', () => {
    const conditions = [
      '$.status == "pending"',
      '$.status in ["unverified","failed"]',
      '$.status != "pending"',
      '$.count > 3',
      '$.count <= 3',
      '$.nested.flag == true',
      '$.items[0].id == 1',
      '$.nothing == null',
    ];
    const bodies: unknown[] = [
      { status: 'pending', count: 3, nested: { flag: true }, items: [{ id: 1 }], nothing: null },
      { status: 'failed', count: 4, nested: { flag: false }, items: [{ id: 2 }] },
      { status: 'unverified', count: 2, items: [] },
      { other: 1 },
      { status: 'PENDING', count: '4' },
    ];
    it.each(conditions)('%s', (condition) => {
      const parsed = parseJsonPathCondition(condition);
      expect(parsed.form).not.toBe('standard');
      const standard = parsed.form === 'standard' ? '' : parsed.standard!;
      expect(standard).toMatch(/^\$\[\?/);
      for (const body of bodies) {
        const nonStandard = evaluateCriterion(jsonpath(condition), { inputs: {}, steps: {}, response: { headers: {}, body } });
        const selected = query(body as never, repairJsonPath(standard)).length > 0;
        expect({ body, selected }).toEqual({ body, selected: nonStandard });
        expect(evaluateCriterion(jsonpath(standard), { inputs: {}, steps: {}, response: { headers: {}, body } })).toBe(
          nonStandard,
        );
      }
    });
  });
});

describe('listCriterionExpressions', () => {
  it('lists the context and the operands of a simple condition', () => {
    expect(
      listCriterionExpressions({ type: 'simple', condition: '$steps.a.outputs.x == $inputs.y' }).map(formatExpression),
    ).toEqual(['$steps.a.outputs.x', '$inputs.y']);
    expect(listCriterionExpressions(jsonpath('$.a == 1', '$steps.b.outputs.body')).map(formatExpression)).toEqual([
      '$steps.b.outputs.body',
    ]);
    expect(listCriterionExpressions({ type: 'simple', condition: '$statusCode = 1' })).toEqual([]);
  });
});
