/**
 * The sandbox side of request bodies: its multipart reader and the validator's handling of
 * multipart, XML, text and binary bodies (the runtime side is in request-bodies.loopback.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { OpenApiOperation } from '../../../../compiler/load/index.js';
import { compileRequestValidator } from '../../../../sandbox/http/compile-request-validator.js';
import { createSchemaCompilers } from '../../../../sandbox/http/create-schema-compilers.js';
import { MultipartSyntaxError, parseMultipartFormData } from '../../../../sandbox/http/read-request-body.js';

const crlf = (...lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('parseMultipartFormData', () => {
  it('reads names, file names, part types and exact bytes, skipping a preamble and padding after delimiters', () => {
    const body = Buffer.concat([
      crlf('preamble to ignore', '--b1  ', 'Content-Disposition: form-data; name="title"', '', 'Hello', '--b1'),
      crlf('', 'content-disposition: form-data; name="doc"; filename="a \\"b\\".bin"', 'Content-Type: application/octet-stream', '', ''),
      Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]),
      crlf('', '--b1', 'Content-Disposition: form-data; name="q%22x"', '', '', '--b1--', 'epilogue'),
    ]);
    const parts = parseMultipartFormData(body, 'b1');
    expect(parts.map((p) => ({ ...p, data: [...p.data] }))).toEqual([
      { name: 'title', data: [...Buffer.from('Hello')] },
      { name: 'doc', filename: 'a "b".bin', contentType: 'application/octet-stream', data: [0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d] },
      { name: 'q"x', data: [] },
    ]);
  });

  it('reads a body with no parts', () => {
    expect(parseMultipartFormData(Buffer.from('--b--\r\n'), 'b')).toEqual([]);
  });

  it.each([
    ['no boundary in the body', crlf('--other', 'Content-Disposition: form-data; name="a"', '', 'x', '--other--'), 'does not contain the boundary'],
    ['no closing delimiter', crlf('--b', 'Content-Disposition: form-data; name="a"', '', 'x'), 'ends without its closing boundary'],
    ['no header block', crlf('--b', 'just text', '--b--'), 'part 1 has no header block'],
    ['no form-data name', crlf('--b', 'Content-Disposition: attachment; filename="x"', '', 'x', '--b--'), 'part 1 has no Content-Disposition: form-data with a name'],
    ['text after a delimiter', crlf('--bjunk', 'Content-Disposition: form-data; name="a"', '', 'x', '--b--'), 'not followed by a line break'],
  ])('refuses a body with %s', (_, body, message) => {
    expect(() => parseMultipartFormData(body, 'b')).toThrow(new MultipartSyntaxError(message).message);
  });

  it('refuses a missing or over-long boundary', () => {
    expect(() => parseMultipartFormData(Buffer.from(''), '')).toThrow(MultipartSyntaxError);
    expect(() => parseMultipartFormData(Buffer.from(''), 'x'.repeat(71))).toThrow('longer than 70 characters');
  });
});

function validator(contentType: string, schema: Record<string, unknown>) {
  const operation: OpenApiOperation = {
    method: 'POST',
    path: '/x',
    pointer: '/paths/~1x/post',
    parameters: [],
    requestBody: { required: true, content: { [contentType]: { schema } } },
    responses: {},
  };
  const validate = compileRequestValidator(operation, createSchemaCompilers());
  return (sentType: string, body: Buffer | string) =>
    validate({ pathParams: {}, query: new URLSearchParams(), headers: { 'content-type': sentType }, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body) });
}

describe('compileRequestValidator: multipart/form-data', () => {
  const send = validator('multipart/form-data', {
    type: 'object',
    required: ['count'],
    properties: { count: { type: 'integer' }, meta: { type: 'object', required: ['id'] }, ids: { type: 'array', items: { type: 'integer' } } },
  });

  it('coerces text parts to their schema types, parses JSON parts and gathers repeated names into arrays', () => {
    const body = crlf(
      '--B', 'Content-Disposition: form-data; name="count"', '', '3',
      '--B', 'Content-Disposition: form-data; name="meta"', 'Content-Type: application/json; charset=utf-8', '', '{"id":"m1"}',
      '--B', 'Content-Disposition: form-data; name="ids"', '', '1',
      '--B', 'Content-Disposition: form-data; name="ids"', '', '2',
      '--B--', '',
    );
    expect(send('multipart/form-data; boundary="B"', body)).toEqual({
      ok: true,
      value: expect.objectContaining({ mediaType: 'multipart/form-data', body: { count: 3, meta: { id: 'm1' }, ids: [1, 2] } }),
    });
  });

  it('reports schema problems with pointers, a malformed JSON part and broken framing', () => {
    const missing = crlf('--B', 'Content-Disposition: form-data; name="meta"', 'Content-Type: application/json', '', '{}', '--B--', '');
    expect(send('multipart/form-data; boundary=B', missing)).toMatchObject({
      ok: false,
      status: 400,
      problems: [
        { code: 'missing_field', source: { pointer: '/count' } },
        { code: 'missing_field', source: { pointer: '/meta/id' } },
      ],
    });
    const badJson = crlf('--B', 'Content-Disposition: form-data; name="meta"', 'Content-Type: application/json', '', '{', '--B--', '');
    expect(send('multipart/form-data; boundary=B', badJson)).toMatchObject({ ok: false, problems: [{ code: 'invalid_json', source: { pointer: '/meta' } }] });
    expect(send('multipart/form-data', badJson)).toMatchObject({ ok: false, problems: [{ code: 'invalid_multipart' }] });
  });
});

describe('compileRequestValidator: XML, text and bytes', () => {
  it('keeps a well-formed XML body as text and checks the root element against xml.name', () => {
    const send = validator('application/xml', { type: 'object', xml: { name: 'Payment' }, properties: { amount: { type: 'number' } } });
    expect(send('application/xml; charset=utf-8', '<Payment><amount>1</amount></Payment>')).toMatchObject({ ok: true, value: { body: '<Payment><amount>1</amount></Payment>' } });
    expect(send('application/xml', '<p:Payment xmlns:p="urn:p"/>')).toMatchObject({ ok: true });
    expect(send('application/xml', '<Refund/>')).toMatchObject({ ok: false, status: 400, problems: [{ code: 'invalid_field', detail: "the root element is 'Refund', expected 'Payment'" }] });
    expect(send('application/xml', '<Payment><amount>1</Payment>')).toMatchObject({ ok: false, status: 400, problems: [{ code: 'invalid_xml' }] });
  });

  it('matches +xml and text/xml bodies to a declared text/* or */* range', () => {
    expect(validator('text/*', { type: 'string' })('text/xml', '<a/>')).toMatchObject({ ok: true, value: { body: '<a/>' } });
    expect(validator('*/*', {})('application/soap+xml', '<a')).toMatchObject({ ok: false, problems: [{ code: 'invalid_xml' }] });
  });

  it('validates a text body against a string schema, and only then', () => {
    const send = validator('text/plain', { type: 'string', pattern: '^pay ' });
    expect(send('text/plain', 'pay 1 EUR')).toMatchObject({ ok: true, value: { body: 'pay 1 EUR' } });
    expect(send('text/plain', 'refund')).toMatchObject({ ok: false, problems: [{ code: 'invalid_field' }] });
    expect(validator('text/csv', { type: 'object' })('text/csv', 'a,b')).toMatchObject({ ok: true, value: { body: 'a,b' } });
  });

  it('hands binary bodies over as bytes', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const verdict = validator('application/octet-stream', { type: 'string', format: 'binary' })('application/octet-stream', bytes);
    expect(verdict.ok && verdict.value.body).toEqual(bytes);
  });
});
