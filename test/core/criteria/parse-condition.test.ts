import { describe, it, expect } from 'vitest';
import { listConditionExpressions, parseCondition, type Condition } from '../../../core/criteria/index.js';
import { ExpressionSyntaxError, formatExpression } from '../../../core/expressions/index.js';

/** A condition as an S-expression, for compact precedence checks. */
function show(c: Condition): string {
  switch (c.kind) {
    case 'literal':
      return JSON.stringify(c.value);
    case 'expression':
      return formatExpression(c.expression);
    case 'not':
      return `(! ${show(c.operand)})`;
    case 'logical':
    case 'comparison':
      return `(${c.operator} ${show(c.left)} ${show(c.right)})`;
  }
}

function conditionError(text: string): ExpressionSyntaxError {
  try {
    parseCondition(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe('parseCondition', () => {
  it('parses a comparison', () => {
    expect(show(parseCondition('$statusCode == 200'))).toBe('(== $statusCode 200)');
    expect(show(parseCondition('$statusCode==200'))).toBe('(== $statusCode 200)');
  });

  it('binds && tighter than ||', () => {
    expect(show(parseCondition('$inputs.a || $inputs.b && $inputs.c'))).toBe(
      '(|| $inputs.a (&& $inputs.b $inputs.c))',
    );
    expect(show(parseCondition('$inputs.a && $inputs.b || $inputs.c'))).toBe(
      '(|| (&& $inputs.a $inputs.b) $inputs.c)',
    );
  });

  it('binds comparisons tighter than logical operators and ! tightest', () => {
    expect(show(parseCondition('$statusCode == 200 && !$inputs.dryRun || $statusCode >= 500'))).toBe(
      '(|| (&& (== $statusCode 200) (! $inputs.dryRun)) (>= $statusCode 500))',
    );
    expect(show(parseCondition('$inputs.a < 1 == $inputs.b > 2'))).toBe('(== (< $inputs.a 1) (> $inputs.b 2))');
  });

  it('groups with parentheses and braces', () => {
    expect(show(parseCondition('($inputs.a || $inputs.b) && $inputs.c'))).toBe(
      '(&& (|| $inputs.a $inputs.b) $inputs.c)',
    );
    expect(show(parseCondition('{$statusCode == 401}'))).toBe('(== $statusCode 401)');
    expect(show(parseCondition('!($statusCode != 200)'))).toBe('(! (!= $statusCode 200))');
  });

  it('reads literals', () => {
    expect(show(parseCondition("$inputs.a == 'it''s'"))).toBe(`(== $inputs.a "it's")`);
    expect(show(parseCondition('$inputs.a == "say \\"hi\\""'))).toBe('(== $inputs.a "say \\"hi\\"")');
    expect(show(parseCondition('$inputs.a != null'))).toBe('(!= $inputs.a null)');
    expect(show(parseCondition('$inputs.a == true || $inputs.b == false'))).toBe(
      '(|| (== $inputs.a true) (== $inputs.b false))',
    );
    expect(show(parseCondition('$inputs.a > -1.5e2'))).toBe('(> $inputs.a -150)');
  });

  it('reads operands with pointers and trailing index or property access', () => {
    expect(show(parseCondition('$response.body#/status == "ok"'))).toBe('(== $response.body#/status "ok")');
    expect(show(parseCondition('$response.body#/count>0'))).toBe('(> $response.body#/count 0)');
    expect(show(parseCondition('($response.body#/items[0].id == 1)'))).toBe('(== $response.body#/items[0].id 1)');
    expect(show(parseCondition('$steps.a.outputs.list[2].name == \'x\''))).toBe(
      '(== $steps.a.outputs.list[2].name "x")',
    );
    expect(show(parseCondition('$response.header.Content-Type == "application/json"'))).toBe(
      '(== $response.header.Content-Type "application/json")',
    );
  });

  it('reports syntax errors with offsets', () => {
    expect(conditionError('')).toMatchObject({ offset: 0 });
    expect(conditionError('   ')).toMatchObject({ offset: 0 });
    expect(conditionError('$statusCode = 200')).toMatchObject({ offset: 12, message: expect.stringContaining('==') });
    expect(conditionError('$statusCode == ')).toMatchObject({ offset: 15 });
    expect(conditionError('$response.body#/status == pending')).toMatchObject({ offset: 26 });
    expect(conditionError("$inputs.a == 'open")).toMatchObject({ offset: 13 });
    expect(conditionError('($statusCode == 200')).toMatchObject({ offset: 19 });
    expect(conditionError('$statusCode == 200)')).toMatchObject({ offset: 18 });
    expect(conditionError('$statusCode 200')).toMatchObject({ offset: 12 });
    expect(conditionError('$inputs.a & $inputs.b')).toMatchObject({ offset: 10 });
    expect(conditionError('$nope == 1')).toMatchObject({ offset: 1 });
    expect(conditionError('$statusCode == 200abc')).toMatchObject({ offset: 15 });
    expect(conditionError('$steps.a.outputz.b == 1')).toMatchObject({ offset: 9 });
  });
});

describe('listConditionExpressions', () => {
  it('lists every expression operand', () => {
    const expressions = listConditionExpressions(
      parseCondition('$statusCode == 200 && ($steps.a.outputs.x != $inputs.y || !$response.body#/ok)'),
    );
    expect(expressions.map(formatExpression)).toEqual([
      '$statusCode',
      '$steps.a.outputs.x',
      '$inputs.y',
      '$response.body#/ok',
    ]);
  });
});
