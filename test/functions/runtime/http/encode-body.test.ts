import { FormData } from 'undici';
import { describe, expect, it } from 'vitest';
import { BodyEncodingError, encodeBody, encodeForm } from '../../../../functions/runtime/http/encode-body.js';

async function multipartText(form: FormData): Promise<{ text: string; boundary: string }> {
  // The same serialisation undici's request() performs, read back to compare the parts.
  const { Response } = await import('undici');
  const response = new Response(form);
  const boundary = /boundary=(.+)$/.exec(response.headers.get('content-type')!)![1];
  return { text: await response.text(), boundary };
}

describe('encodeBody: JSON', () => {
  it('serialises values as JSON and sends a string payload as the JSON text it is', () => {
    expect(encodeBody('application/json', { a: [1, 'x'], b: null })).toEqual({ body: '{"a":[1,"x"],"b":null}', contentType: 'application/json' });
    expect(encodeBody('application/merchant+json; charset=utf-8', 12)).toEqual({ body: '12', contentType: 'application/merchant+json; charset=utf-8' });
    expect(encodeBody('application/json', '{"raw": true}')).toEqual({ body: '{"raw": true}', contentType: 'application/json' });
    expect(encodeBody('application/json', null)).toEqual({ body: 'null', contentType: 'application/json' });
  });

  it('sends nothing, not even a content type, for a payload expression with no value', () => {
    expect(encodeBody('application/json', undefined)).toBeUndefined();
    expect(encodeBody('multipart/form-data', undefined)).toBeUndefined();
  });
});

describe('encodeBody: application/x-www-form-urlencoded (style form, explode true)', () => {
  it('sends a pair per scalar member and per array item, spaces as +', () => {
    expect(encodeForm({ grant_type: 'client_credentials', scope: 'a b', n: 12.5, ok: true, tags: ['x', 'y&z'] })).toBe(
      'grant_type=client_credentials&scope=a+b&n=12.5&ok=true&tags=x&tags=y%26z',
    );
  });

  it('explodes a nested object into pairs of its own members, as OpenAPI defines form/explode', () => {
    expect(encodeForm({ color: { R: 100, G: 200 }, name: 'n' })).toBe('R=100&G=200&name=n');
  });

  it('sends deeper values as JSON text, which OpenAPI leaves undefined', () => {
    expect(encodeForm({ outer: { inner: { a: 1 }, list: [1, 2] }, rows: [{ id: 1 }] })).toBe(
      `inner=${encodeURIComponent('{"a":1}')}&list=${encodeURIComponent('[1,2]')}&rows=${encodeURIComponent('{"id":1}')}`,
    );
  });

  it('leaves out null and undefined members and items', () => {
    expect(encodeForm({ a: null, b: undefined, c: [null, 'x', undefined], d: { e: null } })).toBe('c=x');
  });

  it('sends encoded text as is, an absent payload (null) as an empty form, and refuses other values', () => {
    expect(encodeBody('application/x-www-form-urlencoded', 'a=1&b=%20')).toEqual({ body: 'a=1&b=%20', contentType: 'application/x-www-form-urlencoded' });
    expect(encodeBody('application/x-www-form-urlencoded', null)?.body).toBe('');
    expect(() => encodeBody('application/x-www-form-urlencoded', [1, 2])).toThrow(BodyEncodingError);
    expect(() => encodeBody('application/x-www-form-urlencoded', 42)).toThrow('needs an object (or encoded text), not a number');
  });
});

describe('encodeBody: multipart/form-data', () => {
  it('builds text parts for scalars, JSON parts for objects, one part per array item, and no Content-Type of its own', async () => {
    const encoded = encodeBody('multipart/form-data', { name: 'Jane', age: 41, address: { city: 'Lyon' }, tags: ['a', { b: 1 }], gone: null });
    expect(encoded?.contentType).toBeUndefined();
    expect(encoded?.body).toBeInstanceOf(FormData);
    const { text, boundary } = await multipartText(encoded!.body as FormData);
    const d = `--${boundary}`;
    expect(text).toBe(
      [
        d, 'Content-Disposition: form-data; name="name"', '', 'Jane',
        d, 'Content-Disposition: form-data; name="age"', '', '41',
        d, 'Content-Disposition: form-data; name="address"; filename="blob"', 'Content-Type: application/json', '', '{"city":"Lyon"}',
        d, 'Content-Disposition: form-data; name="tags"', '', 'a',
        d, 'Content-Disposition: form-data; name="tags"; filename="blob"', 'Content-Type: application/json', '', '{"b":1}',
        `${d}--`, '',
      ].join('\r\n'),
    );
  });

  it('sends text only when the content type names its boundary, and refuses non-objects', () => {
    const typed = 'multipart/form-data; boundary=xyz';
    expect(encodeBody(typed, '--xyz--\r\n')).toEqual({ body: '--xyz--\r\n', contentType: typed });
    expect(() => encodeBody('multipart/form-data', '--xyz--')).toThrow('needs its boundary in the content type');
    expect(() => encodeBody('multipart/form-data', ['a'])).toThrow('needs an object, one part per member, not an array');
  });
});

describe('encodeBody: XML', () => {
  it('sends XML text as is for application/xml, text/xml and +xml types', () => {
    for (const type of ['application/xml', 'text/xml; charset=utf-8', 'application/soap+xml']) {
      expect(encodeBody(type, '<a>1</a>')).toEqual({ body: '<a>1</a>', contentType: type });
    }
  });

  it('serialises an object payload with the documented mapping', () => {
    expect(encodeBody('application/xml', { Payment: { '@currency': 'EUR', amount: 12.5 } })?.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Payment currency="EUR"><amount>12.5</amount></Payment>',
    );
  });

  it('refuses a payload with no XML form, naming the pointer but not the value', () => {
    let error: BodyEncodingError | undefined;
    try {
      encodeBody('application/xml', { Payment: { 'bad name': 'secret-value' } });
    } catch (err) {
      error = err as BodyEncodingError;
    }
    expect(error).toBeInstanceOf(BodyEncodingError);
    expect(error?.message).toBe('application/xml: "bad name" is not an XML name');
    expect(error?.pointer).toBe('/Payment/bad name');
    expect(error?.message).not.toContain('secret-value');
    expect(() => encodeBody('text/xml', ['a'])).toThrow('an XML body needs XML text or an object with one member, the root element');
  });
});

describe('encodeBody: text and bytes', () => {
  it('sends strings as is and anything else as JSON text for text/plain, other text types and application/octet-stream', () => {
    expect(encodeBody('text/plain', 'hello\nworld')).toEqual({ body: 'hello\nworld', contentType: 'text/plain' });
    expect(encodeBody('text/csv', 'a,b\n1,2')).toEqual({ body: 'a,b\n1,2', contentType: 'text/csv' });
    expect(encodeBody('text/plain; charset=utf-8', { a: 1 })).toEqual({ body: '{"a":1}', contentType: 'text/plain; charset=utf-8' });
    expect(encodeBody('text/plain', 7)?.body).toBe('7');
    expect(encodeBody('application/octet-stream', 'raw bytes')).toEqual({ body: 'raw bytes', contentType: 'application/octet-stream' });
    expect(encodeBody('application/octet-stream', [1, 2])?.body).toBe('[1,2]');
  });
});
