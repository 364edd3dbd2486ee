import { describe, it, expect } from 'vitest';
import { ArazzoRuntimeError } from '../../../core/errors.js';
import {
  evaluateValue,
  ExpressionSyntaxError,
  formatExpression,
  parseExpression,
  parseTemplate,
  type ExpressionContext,
  type TemplatePart,
} from '../../../core/expressions/index.js';

/** Parts with expressions shown as canonical text, for readable expectations. */
function shape(parts: TemplatePart[]) {
  return parts.map((p) =>
    p.kind === 'text' ? p.text : { expr: formatExpression(p.expression), braced: p.braced, offset: p.offset },
  );
}

function templateError(text: string): ExpressionSyntaxError {
  try {
    parseTemplate(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe('parseTemplate', () => {
  it('reads a whole-string expression as one unbraced part', () => {
    expect(shape(parseTemplate('$inputs.accessToken'))).toEqual([
      { expr: '$inputs.accessToken', braced: false, offset: 0 },
    ]);
    // In the whole form a pointer runs to the end of the string, spaces included.
    expect(shape(parseTemplate('$response.body#/a b'))).toEqual([
      { expr: '$response.body#/a b', braced: false, offset: 0 },
    ]);
  });

  it('reads braced expressions', () => {
    expect(shape(parseTemplate('Order {$steps.create.outputs.orderId} placed'))).toEqual([
      'Order ',
      { expr: '$steps.create.outputs.orderId', braced: true, offset: 6 },
      ' placed',
    ]);
    expect(shape(parseTemplate('{$inputs.a}{$inputs.b}'))).toEqual([
      { expr: '$inputs.a', braced: true, offset: 0 },
      { expr: '$inputs.b', braced: true, offset: 11 },
    ]);
    expect(shape(parseTemplate('{$response.body#/a b}!'))).toEqual([
      { expr: '$response.body#/a b', braced: true, offset: 0 },
      '!',
    ]);
  });

  it('reads bare expressions embedded in text', () => {
    expect(shape(parseTemplate('Bearer $inputs.accessToken'))).toEqual([
      'Bearer ',
      { expr: '$inputs.accessToken', braced: false, offset: 7 },
    ]);
    expect(shape(parseTemplate('Bearer $steps.mintToken.outputs.accessToken'))).toEqual([
      'Bearer ',
      { expr: '$steps.mintToken.outputs.accessToken', braced: false, offset: 7 },
    ]);
  });

  it('ends a bare expression at the first character that cannot continue it', () => {
    expect(shape(parseTemplate('"$inputs.a", ($statusCode) $inputs.b.'))).toEqual([
      '"',
      { expr: '$inputs.a', braced: false, offset: 1 },
      '", (',
      { expr: '$statusCode', braced: false, offset: 14 },
      ') ',
      { expr: '$inputs.b', braced: false, offset: 27 },
      '.',
    ]);
    expect(shape(parseTemplate('code=$response.body#/code&state=$inputs.state'))).toEqual([
      'code=',
      { expr: '$response.body#/code', braced: false, offset: 5 },
      '&state=',
      { expr: '$inputs.state', braced: false, offset: 32 },
    ]);
    expect(shape(parseTemplate('id $response.body#/items/0/id next'))).toEqual([
      'id ',
      { expr: '$response.body#/items/0/id', braced: false, offset: 3 },
      ' next',
    ]);
    expect(shape(parseTemplate('tag $inputs.a#notpointer'))).toEqual([
      'tag ',
      { expr: '$inputs.a', braced: false, offset: 4 },
      '#notpointer',
    ]);
  });

  it('leaves a lone $ and unknown roots as text', () => {
    expect(parseTemplate('costs $5 or $ 3, see $HOME and $inputs alone, $urlencoded')).toEqual([
      { kind: 'text', text: 'costs $5 or $ 3, see $HOME and $inputs alone, $urlencoded' },
    ]);
    expect(parseTemplate('{"a": 1}')).toEqual([{ kind: 'text', text: '{"a": 1}' }]);
    expect(parseTemplate('')).toEqual([]);
  });

  it('rejects malformed expressions with offsets', () => {
    expect(templateError('Bearer $steps.mintToken.output.accessToken').offset).toBe(24);
    expect(templateError('x {$inputs.a b}').offset).toBe(12);
    expect(templateError('x {$nope}').offset).toBe(4);
    expect(templateError('x $inputs. y').offset).toBe(10);
  });
});

const ctx: ExpressionContext = {
  statusCode: 200,
  inputs: { accessToken: 'tok-123', quantity: 3, order: { petId: 9 }, empty: '' },
  steps: { mintToken: { outputs: { accessToken: 'minted' } } },
  response: { headers: {}, body: { id: 'c-1', list: [1, 2] } },
};

describe('evaluateValue', () => {
  it('keeps the type of a whole-string expression', () => {
    expect(evaluateValue('$inputs.quantity', ctx)).toBe(3);
    expect(evaluateValue('$inputs.order', ctx)).toEqual({ petId: 9 });
    expect(evaluateValue('$statusCode', ctx)).toBe(200);
    expect(evaluateValue('$inputs.missing', ctx)).toBeUndefined();
  });

  it('substitutes braced and bare expressions as text', () => {
    expect(evaluateValue('Bearer $inputs.accessToken', ctx)).toBe('Bearer tok-123');
    expect(evaluateValue('Bearer $steps.mintToken.outputs.accessToken', ctx)).toBe('Bearer minted');
    expect(evaluateValue('Bearer {$inputs.accessToken}', ctx)).toBe('Bearer tok-123');
    expect(evaluateValue('{$inputs.quantity}', ctx)).toBe('3');
    expect(evaluateValue('order={$inputs.order}', ctx)).toBe('order={"petId":9}');
    expect(evaluateValue('list: $response.body#/list', ctx)).toBe('list: [1,2]');
    expect(evaluateValue('[$inputs.empty]', ctx)).toBe('[]');
  });

  it('walks objects and arrays and passes other values through', () => {
    const value = {
      petOrder: { petId: '$inputs.order#/petId', quantity: '$inputs.quantity', status: 'placed', complete: false },
      tags: ['$response.body#/id', 'static', 5, null],
      auth: 'Bearer $inputs.accessToken',
    };
    expect(evaluateValue(value, ctx)).toEqual({
      petOrder: { petId: 9, quantity: 3, status: 'placed', complete: false },
      tags: ['c-1', 'static', 5, null],
      auth: 'Bearer tok-123',
    });
    expect(value.petOrder.petId).toBe('$inputs.order#/petId');
  });

  it('does not let a "__proto__" key replace the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": "$inputs.quantity"}') as unknown;
    const result = evaluateValue(value, ctx) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(result, '__proto__')).toBe(true);
    expect(result.a).toBe(3);
  });

  it('rejects an embedded expression without a value, naming only the expression', () => {
    let error: unknown;
    try {
      evaluateValue('Bearer $inputs.missingToken', ctx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArazzoRuntimeError);
    expect((error as Error).name).toBe('Arazzo.Expression');
    expect((error as Error).message).toBe('$inputs.missingToken has no value');
  });

  it('never echoes other values in errors', () => {
    expect(() => evaluateValue('$inputs.accessToken and $inputs.nope', ctx)).toThrow(/^\$inputs\.nope has no value$/);
  });

  it('agrees with parseExpression on whole strings', () => {
    expect(evaluateValue('$response.body', ctx)).toEqual(
      (ctx.response as { body: unknown }).body,
    );
    expect(parseExpression('$response.body').kind).toBe('responseBody');
  });
});
