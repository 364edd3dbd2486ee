import { describe, it, expect } from 'vitest';
import {
  evaluateExpression,
  ExpressionSyntaxError,
  parseExpression,
  type ExpressionContext,
} from '../../../core/expressions/index.js';

const ctx: ExpressionContext = {
  url: 'https://api.example.com/v1/customers/42',
  method: 'POST',
  statusCode: 201,
  request: {
    headers: { 'x-request-id': 'req-1', accept: 'application/json' },
    query: { page: '2', 'filter.status': 'active' },
    path: { customer_id: '42' },
    body: { user: { uuid: 'u-1' } },
  },
  response: {
    headers: { location: '/v1/customers/42', 'x-rate-limit': '100' },
    body: {
      id: 42,
      status: 'pending',
      items: [{ id: 'a' }, { id: 'b' }],
      'a/b': 'slash',
      'c~d': 'tilde',
      '~1': 'tilde-one',
      '': 'empty-key',
      nothing: null,
      flag: false,
    },
  },
  inputs: {
    accessToken: 'tok-123',
    user: { address: { city: 'Paris' } },
    list: [10, 20, 30],
    'x-store-id': 's-9',
  },
  outputs: { bar: { name: 'out-name' } },
  steps: {
    mintToken: { outputs: { accessToken: 'step-token', pets: [{ id: 7 }] } },
    skipped: undefined,
  },
  workflows: { foo: { inputs: { username: 'ada' }, outputs: { mapped: { name: 'mapped-name' } } } },
  sourceDescriptions: { petstore: { url: 'https://petstore.example/openapi.yaml', type: 'openapi' } },
  components: { parameters: { storeId: { name: 'storeId', in: 'header' } }, inputs: { 'my.org.User': { type: 'object' } } },
};

const ev = (text: string, c: ExpressionContext = ctx) => evaluateExpression(text, c);

describe('evaluateExpression', () => {
  it('reads $url, $method and $statusCode', () => {
    expect(ev('$url')).toBe('https://api.example.com/v1/customers/42');
    expect(ev('$method')).toBe('POST');
    expect(ev('$statusCode')).toBe(201);
  });

  it('reads request parameters and body', () => {
    expect(ev('$request.query.page')).toBe('2');
    expect(ev('$request.query.filter.status')).toBe('active');
    expect(ev('$request.path.customer_id')).toBe('42');
    expect(ev('$request.body')).toEqual({ user: { uuid: 'u-1' } });
    expect(ev('$request.body#/user/uuid')).toBe('u-1');
  });

  it('reads headers case-insensitively', () => {
    expect(ev('$request.header.X-Request-ID')).toBe('req-1');
    expect(ev('$response.header.Location')).toBe('/v1/customers/42');
    expect(ev('$response.header.X-RATE-LIMIT')).toBe('100');
    expect(ev('$response.header.x-missing')).toBeUndefined();
  });

  it('still finds a header stored with upper-case letters', () => {
    const c: ExpressionContext = { ...ctx, response: { headers: { 'X-Trace': 't-1' } } };
    expect(ev('$response.header.x-trace', c)).toBe('t-1');
  });

  it('reads the response body through JSON pointers', () => {
    expect(ev('$response.body#/id')).toBe(42);
    expect(ev('$response.body#/items/1/id')).toBe('b');
    expect(ev('$response.body#/items')).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(ev('$response.body#')).toEqual((ctx.response as { body: unknown }).body);
    expect(ev('$response.body#/nothing')).toBeNull();
    expect(ev('$response.body#/flag')).toBe(false);
  });

  it('decodes ~1 and ~0 in pointers', () => {
    expect(ev('$response.body#/a~1b')).toBe('slash');
    expect(ev('$response.body#/c~0d')).toBe('tilde');
    expect(ev('$response.body#/~01')).toBe('tilde-one');
    expect(ev('$response.body#/')).toBe('empty-key');
  });

  it('gives undefined for missing locations, never throws', () => {
    expect(ev('$response.body#/missing')).toBeUndefined();
    expect(ev('$response.body#/missing/deeper/still')).toBeUndefined();
    expect(ev('$response.body#/items/2')).toBeUndefined();
    expect(ev('$response.body#/items/-')).toBeUndefined();
    expect(ev('$response.body#/items/01')).toBeUndefined();
    expect(ev('$response.body#/id/x')).toBeUndefined();
    expect(ev('$response.body#/status/length')).toBeUndefined();
    expect(ev('$response.body#/constructor')).toBeUndefined();
    expect(ev('$response.body#/__proto__')).toBeUndefined();
    expect(ev('$inputs.missing.deeper')).toBeUndefined();
    expect(ev('$steps.skipped.outputs.x')).toBeUndefined();
    expect(ev('$steps.neverRan.outputs.x')).toBeUndefined();
    expect(ev('$steps.constructor.outputs.x')).toBeUndefined();
    expect(ev('$statusCode', { inputs: {}, steps: {} })).toBeUndefined();
    expect(ev('$response.body#/a', { inputs: {}, steps: {} })).toBeUndefined();
    expect(ev('$request.header.accept', { inputs: {}, steps: {} })).toBeUndefined();
  });

  it('reads inputs with dotted, indexed and pointer access', () => {
    expect(ev('$inputs.accessToken')).toBe('tok-123');
    expect(ev('$inputs.x-store-id')).toBe('s-9');
    expect(ev('$inputs.user.address.city')).toBe('Paris');
    expect(ev('$inputs.user#/address/city')).toBe('Paris');
    expect(ev('$inputs.list[1]')).toBe(20);
    expect(ev('$inputs.list#/2')).toBe(30);
    expect(ev('$inputs.list.0')).toBe(10);
    expect(ev('$inputs.list[3]')).toBeUndefined();
    expect(ev('$inputs.user[0]')).toBeUndefined();
  });

  it('reads step, workflow and workflow-level outputs', () => {
    expect(ev('$steps.mintToken.outputs.accessToken')).toBe('step-token');
    expect(ev('$steps.mintToken.outputs.pets#/0/id')).toBe(7);
    expect(ev('$steps.mintToken.outputs.pets[0].id')).toBe(7);
    expect(ev('$outputs.bar#/name')).toBe('out-name');
    expect(ev('$outputs.bar.name')).toBe('out-name');
    expect(ev('$workflows.foo.inputs.username')).toBe('ada');
    expect(ev('$workflows.foo.outputs.mapped#/name')).toBe('mapped-name');
    expect(ev('$workflows.bar.outputs.mapped')).toBeUndefined();
  });

  it('reads source descriptions and components', () => {
    expect(ev('$sourceDescriptions.petstore.url')).toBe('https://petstore.example/openapi.yaml');
    expect(ev('$sourceDescriptions.petstore.listPets')).toBeUndefined();
    expect(ev('$components.parameters.storeId')).toEqual({ name: 'storeId', in: 'header' });
    expect(ev('$components.inputs.my.org.User')).toEqual({ type: 'object' });
    expect(ev('$components.successActions.notify')).toBeUndefined();
  });

  it('accepts a parsed expression', () => {
    expect(evaluateExpression(parseExpression('$inputs.accessToken'), ctx)).toBe('tok-123');
  });

  it('throws a syntax error for malformed text', () => {
    expect(() => ev('$inputs')).toThrow(ExpressionSyntaxError);
  });
});
