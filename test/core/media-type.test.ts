import { describe, expect, it } from 'vitest';
import { declaredResponseFor, findUndeclaredMediaType, isDeclaredMediaType } from '../../core/media-type.js';
import type { ResponseMediaTypes } from '../../core/plan.js';

describe('declaredResponseFor: the response an operation declares for a status', () => {
  const declared: ResponseMediaTypes = { '200': ['application/json'], '204': [], '4XX': ['application/problem+json'], default: ['text/plain'] };

  it('takes the status’s own entry first', () => {
    expect(declaredResponseFor(declared, 200)).toEqual({ key: '200', mediaTypes: ['application/json'] });
    expect(declaredResponseFor(declared, 204)).toEqual({ key: '204', mediaTypes: [] });
  });

  it('else the range of its class, else default', () => {
    expect(declaredResponseFor(declared, 404)).toEqual({ key: '4XX', mediaTypes: ['application/problem+json'] });
    expect(declaredResponseFor(declared, 503)).toEqual({ key: 'default', mediaTypes: ['text/plain'] });
    expect(declaredResponseFor(declared, 201)).toEqual({ key: 'default', mediaTypes: ['text/plain'] });
  });

  it('is undefined when the operation declares nothing that covers the status', () => {
    expect(declaredResponseFor({ '200': ['application/json'] }, 500)).toBeUndefined();
    expect(declaredResponseFor({}, 200)).toBeUndefined();
  });
});

describe('isDeclaredMediaType', () => {
  it('compares type/subtype, ignoring parameters and case on both sides', () => {
    expect(isDeclaredMediaType('application/json; charset=utf-8', ['application/json'])).toBe(true);
    expect(isDeclaredMediaType('Application/JSON', ['application/json'])).toBe(true);
    expect(isDeclaredMediaType('application/json', ['Application/Json; charset=UTF-8'])).toBe(true);
    expect(isDeclaredMediaType(' text/plain ;format=flowed', ['text/plain'])).toBe(true);
  });

  it('refuses another type, even a related one', () => {
    expect(isDeclaredMediaType('text/plain', ['application/json'])).toBe(false);
    expect(isDeclaredMediaType('text/html; charset=utf-8', ['application/json'])).toBe(false);
    expect(isDeclaredMediaType('application/jsonx', ['application/json'])).toBe(false);
    expect(isDeclaredMediaType('application/xml', ['application/json'])).toBe(false);
    expect(isDeclaredMediaType('application/json', ['text/plain'])).toBe(false);
  });

  it('takes any JSON type for a declared JSON type, any XML type for a declared XML type: they are read the same way', () => {
    expect(isDeclaredMediaType('application/problem+json', ['application/json'])).toBe(true);
    expect(isDeclaredMediaType('text/json', ['application/json'])).toBe(true);
    expect(isDeclaredMediaType('application/json', ['application/vnd.api+json'])).toBe(true);
    expect(isDeclaredMediaType('text/xml; charset=utf-8', ['application/xml'])).toBe(true);
    expect(isDeclaredMediaType('application/atom+xml', ['text/xml'])).toBe(true);
  });

  it('lets a declared wildcard match: the match-all and a type range', () => {
    expect(isDeclaredMediaType('image/png', ['*/*'])).toBe(true);
    expect(isDeclaredMediaType('application/vnd.api+json', ['application/*'])).toBe(true);
    expect(isDeclaredMediaType('text/csv; header=present', ['application/json', 'TEXT/*'])).toBe(true);
    expect(isDeclaredMediaType('text/csv', ['application/*'])).toBe(false);
    // `application/*` is the type `application`, not a prefix of the name.
    expect(isDeclaredMediaType('applicationx/json', ['application/*'])).toBe(false);
  });

  it('takes an answer without a Content-Type only under the match-all', () => {
    expect(isDeclaredMediaType('', ['application/json'])).toBe(false);
    expect(isDeclaredMediaType(undefined, ['application/*'])).toBe(false);
    expect(isDeclaredMediaType(undefined, ['*/*'])).toBe(true);
  });
});

describe('findUndeclaredMediaType', () => {
  const declared: ResponseMediaTypes = {
    '200': ['application/json', 'application/xml'],
    '202': [],
    '2XX': ['application/hal+json'],
    '5XX': ['application/problem+json'],
    default: ['application/json'],
  };

  it('reports the received type, the response key it was checked against and what that response declares', () => {
    expect(findUndeclaredMediaType(declared, 200, 'text/plain; charset=utf-8', 42)).toEqual({
      received: 'text/plain',
      responseKey: '200',
      declared: ['application/json', 'application/xml'],
    });
    expect(findUndeclaredMediaType(declared, 201, 'text/html', 10)).toEqual({ received: 'text/html', responseKey: '2XX', declared: ['application/hal+json'] });
    expect(findUndeclaredMediaType(declared, 203, 'text/html', 10)).toEqual({ received: 'text/html', responseKey: '2XX', declared: ['application/hal+json'] });
    expect(findUndeclaredMediaType(declared, 200, undefined, 10)).toEqual({ received: '', responseKey: '200', declared: ['application/json', 'application/xml'] });
  });

  it('finds nothing when the type is declared for the status', () => {
    expect(findUndeclaredMediaType(declared, 200, 'application/xml; charset=iso-8859-1', 42)).toBeUndefined();
    expect(findUndeclaredMediaType(declared, 503, 'application/problem+json', 42)).toBeUndefined();
    expect(findUndeclaredMediaType(declared, 409, 'APPLICATION/JSON', 42)).toBeUndefined();
  });

  it('checks no error answer: it is read as labelled, for the failure path to judge', () => {
    expect(findUndeclaredMediaType(declared, 502, 'text/html', 10)).toBeUndefined();
    expect(findUndeclaredMediaType(declared, 404, 'text/html', 10)).toBeUndefined();
    expect(findUndeclaredMediaType(declared, 302, 'text/html', 10)).toBeUndefined();
  });

  it('checks nothing for an empty body (a 204, a HEAD), whatever its label', () => {
    expect(findUndeclaredMediaType(declared, 200, 'text/plain', 0)).toBeUndefined();
    expect(findUndeclaredMediaType(declared, 204, undefined, 0)).toBeUndefined();
  });

  it('checks nothing when the matched response declares no content, even if a range or default would', () => {
    expect(findUndeclaredMediaType(declared, 202, 'text/html', 12)).toBeUndefined();
  });

  it('checks nothing for a status the operation declares no response for, nor without a declaration at all', () => {
    const noDefault: ResponseMediaTypes = { '200': ['application/json'] };
    expect(findUndeclaredMediaType(noDefault, 500, 'text/html', 12)).toBeUndefined();
    expect(findUndeclaredMediaType(noDefault, 201, 'text/html', 12)).toBeUndefined();
    expect(findUndeclaredMediaType(undefined, 200, 'text/html', 12)).toBeUndefined();
  });
});
