import { describe, it, expect } from 'vitest';
import {
  ExpressionSyntaxError,
  formatExpression,
  isRuntimeExpression,
  parseExpression,
  parseTemplate,
  referencedSteps,
} from '../../../core/expressions/index.js';

function syntaxError(text: string): ExpressionSyntaxError {
  try {
    parseExpression(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe('parseExpression', () => {
  it('parses the terminal roots', () => {
    expect(parseExpression('$url')).toEqual({ kind: 'url' });
    expect(parseExpression('$method')).toEqual({ kind: 'method' });
    expect(parseExpression('$statusCode')).toEqual({ kind: 'statusCode' });
  });

  it('parses request sources', () => {
    expect(parseExpression('$request.header.Accept')).toEqual({ kind: 'requestHeader', name: 'Accept' });
    expect(parseExpression('$request.query.page.size')).toEqual({ kind: 'requestQuery', name: 'page.size' });
    expect(parseExpression('$request.path.id')).toEqual({ kind: 'requestPath', name: 'id' });
    expect(parseExpression('$request.body')).toEqual({ kind: 'requestBody', tail: [] });
    expect(parseExpression('$request.body#/user/uuid')).toEqual({
      kind: 'requestBody',
      tail: [{ kind: 'pointer', tokens: ['user', 'uuid'] }],
    });
  });

  it('parses response sources', () => {
    expect(parseExpression('$response.header.X-Rate-Limit')).toEqual({ kind: 'responseHeader', name: 'X-Rate-Limit' });
    expect(parseExpression('$response.body')).toEqual({ kind: 'responseBody', tail: [] });
    expect(parseExpression('$response.body#/items/0/id')).toEqual({
      kind: 'responseBody',
      tail: [{ kind: 'pointer', tokens: ['items', '0', 'id'] }],
    });
  });

  it('accepts any RFC 7230 token character in a header name of a whole expression', () => {
    expect(parseExpression("$response.header.x-a.b!#$%&'*+^_`|~")).toEqual({
      kind: 'responseHeader',
      name: "x-a.b!#$%&'*+^_`|~",
    });
  });

  it('reads a step or workflow id with spaces or dots up to the keyword that follows it, where the expression is whole or braced', () => {
    // The ABNF's name = *( CHAR ) admits them; only the id pattern SHOULD forbids them (a Jentic-generated corpus document uses them).
    expect(parseExpression('$steps.Plan a Trip_search_0.outputs.body')).toEqual({ kind: 'stepOutput', stepId: 'Plan a Trip_search_0', name: 'body', tail: [] });
    expect(parseExpression('$steps.v1.2 lookup.outputs.id#/a')).toEqual({ kind: 'stepOutput', stepId: 'v1.2 lookup', name: 'id', tail: [{ kind: 'pointer', tokens: ['a'] }] });
    expect(parseExpression('$workflows.Book a Trip.inputs.from')).toEqual({ kind: 'workflowInput', workflowId: 'Book a Trip', name: 'from', tail: [] });
    expect(parseTemplate('id: {$steps.Find Trips.outputs.tripId}!')).toEqual([
      { kind: 'text', text: 'id: ' },
      { kind: 'expression', expression: { kind: 'stepOutput', stepId: 'Find Trips', name: 'tripId', tail: [] }, braced: true, offset: 4 },
      { kind: 'text', text: '!' },
    ]);
    // Embedded in text without braces, a space still ends the id, so text after it is never swallowed.
    expect(() => parseTemplate('see $steps.Plan a.outputs.x now')).toThrow(/expected "\." after "\$steps\.Plan"/);
  });

  it('decodes RFC 6901 escapes, ~1 before ~0', () => {
    expect(parseExpression('$response.body#/a~1b/c~0d/~01')).toEqual({
      kind: 'responseBody',
      tail: [{ kind: 'pointer', tokens: ['a/b', 'c~d', '~1'] }],
    });
  });

  it('keeps empty pointer tokens and the empty pointer', () => {
    expect(parseExpression('$response.body#')).toEqual({ kind: 'responseBody', tail: [{ kind: 'pointer', tokens: [] }] });
    expect(parseExpression('$response.body#/')).toEqual({ kind: 'responseBody', tail: [{ kind: 'pointer', tokens: [''] }] });
    expect(parseExpression('$response.body#/a b/c')).toEqual({
      kind: 'responseBody',
      tail: [{ kind: 'pointer', tokens: ['a b', 'c'] }],
    });
  });

  it('parses inputs and outputs with dotted, indexed and pointer tails', () => {
    expect(parseExpression('$inputs.x-store-id')).toEqual({ kind: 'inputs', name: 'x-store-id', tail: [] });
    expect(parseExpression('$inputs.user.address.city')).toEqual({
      kind: 'inputs',
      name: 'user',
      tail: [
        { kind: 'property', name: 'address' },
        { kind: 'property', name: 'city' },
      ],
    });
    expect(parseExpression('$inputs.list[2].id')).toEqual({
      kind: 'inputs',
      name: 'list',
      tail: [
        { kind: 'index', index: 2 },
        { kind: 'property', name: 'id' },
      ],
    });
    expect(parseExpression('$outputs.bar#/name')).toEqual({
      kind: 'outputs',
      name: 'bar',
      tail: [{ kind: 'pointer', tokens: ['name'] }],
    });
  });

  it('parses step outputs', () => {
    expect(parseExpression('$steps.someStepId.outputs.pets')).toEqual({
      kind: 'stepOutput',
      stepId: 'someStepId',
      name: 'pets',
      tail: [],
    });
    expect(parseExpression('$steps.browser-authorize.outputs.pets#/0/id')).toEqual({
      kind: 'stepOutput',
      stepId: 'browser-authorize',
      name: 'pets',
      tail: [{ kind: 'pointer', tokens: ['0', 'id'] }],
    });
    expect(parseExpression('$steps.a.outputs.b.c')).toEqual({
      kind: 'stepOutput',
      stepId: 'a',
      name: 'b',
      tail: [{ kind: 'property', name: 'c' }],
    });
  });

  it('parses workflow inputs and outputs', () => {
    expect(parseExpression('$workflows.foo.inputs.username')).toEqual({
      kind: 'workflowInput',
      workflowId: 'foo',
      name: 'username',
      tail: [],
    });
    expect(parseExpression('$workflows.foo.outputs.mappedResponse#/name')).toEqual({
      kind: 'workflowOutput',
      workflowId: 'foo',
      name: 'mappedResponse',
      tail: [{ kind: 'pointer', tokens: ['name'] }],
    });
  });

  it('parses source descriptions and components', () => {
    expect(parseExpression('$sourceDescriptions.petstoreDescription.url')).toEqual({
      kind: 'sourceDescription',
      name: 'petstoreDescription',
      reference: 'url',
    });
    expect(parseExpression('$components.parameters.storeId')).toEqual({
      kind: 'component',
      section: 'parameters',
      name: 'storeId',
      tail: [],
    });
    expect(parseExpression('$components.inputs.my.org.User')).toEqual({
      kind: 'component',
      section: 'inputs',
      name: 'my.org.User',
      tail: [],
    });
    expect(parseExpression('$components.successActions.notify').kind).toBe('component');
    expect(parseExpression('$components.failureActions.refreshToken')).toMatchObject({ section: 'failureActions' });
  });

  it('reports syntax errors with the offset of the offending character', () => {
    expect(syntaxError('inputs.x').offset).toBe(0);
    expect(syntaxError('$').offset).toBe(1);
    expect(syntaxError('$foo.bar')).toMatchObject({ offset: 1, message: expect.stringContaining('"$foo"') });
    expect(syntaxError('$inputs')).toMatchObject({ offset: 7 });
    expect(syntaxError('$inputs.')).toMatchObject({ offset: 8 });
    expect(syntaxError('$inputs.a b')).toMatchObject({ offset: 9 });
    expect(syntaxError('$steps.a.output.b')).toMatchObject({ offset: 9, message: expect.stringContaining('"outputs"') });
    expect(syntaxError('$steps.a.outputs')).toMatchObject({ offset: 16 });
    expect(syntaxError('$response.query.x')).toMatchObject({ offset: 10 });
    expect(syntaxError('$request.bodyx')).toMatchObject({ offset: 9 });
    expect(syntaxError('$response.body#a')).toMatchObject({ offset: 15 });
    expect(syntaxError('$response.body#/a~2')).toMatchObject({ offset: 17 });
    expect(syntaxError('$components.schemas.x')).toMatchObject({ offset: 12 });
    expect(syntaxError('$statusCode == 200')).toMatchObject({ offset: 11 });
    expect(syntaxError('$url.x')).toMatchObject({ offset: 4 });
  });

  it('raises errors that Step Functions sees as Arazzo.Expression', () => {
    const error = syntaxError('$nope');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('Arazzo.Expression');
  });
});

describe('isRuntimeExpression', () => {
  it('is true only when the whole string is one expression', () => {
    expect(isRuntimeExpression('$inputs.accessToken')).toBe(true);
    expect(isRuntimeExpression('$response.body#/a b')).toBe(true);
    expect(isRuntimeExpression('Bearer $inputs.accessToken')).toBe(false);
    expect(isRuntimeExpression('$inputs.accessToken ')).toBe(false);
    expect(isRuntimeExpression('{$inputs.accessToken}')).toBe(false);
    expect(isRuntimeExpression('$5.00')).toBe(false);
    expect(isRuntimeExpression('')).toBe(false);
  });
});

describe('formatExpression', () => {
  const canonical = [
    '$url',
    '$method',
    '$statusCode',
    '$request.header.X-Request-Id',
    '$request.query.page',
    '$request.path.customer_id',
    '$request.body',
    '$request.body#/user/uuid',
    '$response.header.Location',
    '$response.body#/a~1b/c~0d',
    '$response.body#',
    '$inputs.user.address[0]#/zip',
    '$outputs.bar',
    '$steps.mintToken.outputs.accessToken',
    '$workflows.foo.inputs.username',
    '$workflows.foo.outputs.mapped#/name',
    '$sourceDescriptions.petstore.url',
    '$components.parameters.my.org.page',
  ];
  it.each(canonical)('round-trips %s', (text) => {
    expect(formatExpression(parseExpression(text))).toBe(text);
  });
});

describe('referencedSteps', () => {
  it('names the step a $steps expression reads', () => {
    expect(referencedSteps(parseExpression('$steps.mintToken.outputs.accessToken#/x'))).toEqual(['mintToken']);
  });
  it('is empty for other expressions', () => {
    expect(referencedSteps(parseExpression('$inputs.steps'))).toEqual([]);
    expect(referencedSteps(parseExpression('$workflows.w.outputs.o'))).toEqual([]);
  });
});
