import { describe, expect, it } from 'vitest';
import { decodeBody, parseBody } from '../../../../functions/runtime/http/send-request.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('decodeBody', () => {
  it('reads UTF-8 unless told otherwise', () => {
    expect(decodeBody(Buffer.from('Zoë'), 'application/json')).toBe('Zoë');
    expect(decodeBody(Buffer.from('Zoë'), '')).toBe('Zoë');
  });

  it('follows the charset of the Content-Type, quoted or not', () => {
    expect(decodeBody(latin1('Zoë'), 'text/plain; charset=ISO-8859-1')).toBe('Zoë');
    expect(decodeBody(latin1('Zoë'), 'text/plain; charset="windows-1252"')).toBe('Zoë');
  });

  it('follows the encoding of an XML declaration when the Content-Type names no charset', () => {
    const body = latin1('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>');
    expect(decodeBody(body, 'application/xml')).toBe('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>');
    // The Content-Type wins over the declaration.
    expect(decodeBody(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>'), 'text/xml; charset=utf-8')).toContain('<a>é</a>');
    // A declaration means nothing in a body that is not XML.
    expect(decodeBody(body, 'text/plain')).toContain('\uFFFD');
  });

  it('lets a byte-order mark decide, and drops it', () => {
    expect(decodeBody(Buffer.from('\uFEFF{"a":1}'), 'application/json; charset=iso-8859-1')).toBe('{"a":1}');
    expect(decodeBody(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a/>', 'utf16le')]), 'application/xml')).toBe('<a/>');
  });

  it('falls back to UTF-8 for a charset it does not know', () => {
    expect(decodeBody(Buffer.from('ok é'), 'text/plain; charset=x-unknown-42')).toBe('ok é');
  });
});

describe('parseBody', () => {
  it('parses JSON media types, +json suffixes included', () => {
    expect(parseBody('{"a":[1]}', 'application/json; charset=utf-8', 'GET /x')).toEqual({ a: [1] });
    expect(parseBody('{"a":1}', 'application/problem+json', 'GET /x')).toEqual({ a: 1 });
  });

  it('keeps XML, text and unknown types as text, and an empty body as undefined', () => {
    expect(parseBody('<a>1</a>', 'application/xml', 'GET /x')).toBe('<a>1</a>');
    expect(parseBody('{"looks":"like json"}', 'text/plain', 'GET /x')).toBe('{"looks":"like json"}');
    expect(parseBody('{"a":1}', '', 'GET /x')).toBe('{"a":1}');
    expect(parseBody('', 'application/json', 'GET /x')).toBeUndefined();
  });

  it('reports malformed JSON without quoting it', () => {
    expect(() => parseBody('{"token": "abc', 'application/json', 'GET /x')).toThrow(
      expect.objectContaining({ name: 'Arazzo.InvalidResponse', message: 'GET /x answered with malformed JSON (14 bytes)' }),
    );
  });
});
