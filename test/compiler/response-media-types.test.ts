import { describe, expect, it } from 'vitest';
import type { OpenApiOperation } from '../../compiler/load/load-openapi.js';
import { responseMediaTypesOf } from '../../compiler/plan/response-media-types.js';

const operation = (responses: OpenApiOperation['responses']): OpenApiOperation => ({ method: 'GET', path: '/x', pointer: '/paths/~1x/get', parameters: [], responses });

describe('responseMediaTypesOf: the plan’s response key → declared media types', () => {
  it('keeps statuses, ranges (upper-cased) and default, each with its bare, lower-case media types', () => {
    expect(
      responseMediaTypesOf(
        operation({
          '200': { content: { 'application/json; charset=utf-8': {}, 'Application/XML': {}, 'application/json': {} } },
          '4xx': { content: { 'application/problem+json': {} } },
          default: { content: { '*/*': {} } },
        }),
      ),
    ).toEqual({ '200': ['application/json', 'application/xml'], '4XX': ['application/problem+json'], default: ['*/*'] });
  });

  it('keeps a response without content as an empty list, so its status is not checked against a range or default', () => {
    expect(responseMediaTypesOf(operation({ '200': { content: { 'application/json': {} } }, '204': {}, '404': { content: {} }, default: { content: { 'application/json': {} } } }))).toEqual({
      '200': ['application/json'],
      '204': [],
      '404': [],
      default: ['application/json'],
    });
  });

  it('ignores what is not a response key (specification extensions)', () => {
    expect(responseMediaTypesOf(operation({ '200': { content: { 'text/plain': {} } }, 'x-note': { content: { 'text/html': {} } } } as OpenApiOperation['responses']))).toEqual({ '200': ['text/plain'] });
  });

  it('is absent when no response declares content: nothing to check, and the plan stays as it was', () => {
    expect(responseMediaTypesOf(operation({ '204': {}, default: {} }))).toBeUndefined();
    expect(responseMediaTypesOf(operation({}))).toBeUndefined();
  });
});
