import { describe, expect, it } from 'vitest';
import { encodeXml, XmlPayloadError } from '../../../../functions/runtime/http/encode-xml.js';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const xml = (payload: unknown) => encodeXml(payload).slice(DECLARATION.length);

function failure(payload: unknown): XmlPayloadError {
  try {
    encodeXml(payload);
  } catch (err) {
    if (err instanceof XmlPayloadError) return err;
    throw err;
  }
  throw new Error('expected an XmlPayloadError');
}

describe('encodeXml', () => {
  it('starts with the XML declaration and uses the single member as the root element', () => {
    expect(encodeXml({ ping: 'x' })).toBe(`${DECLARATION}<ping>x</ping>`);
  });

  it('maps members to child elements in order, arrays to repeated elements and null to an empty element', () => {
    expect(xml({ order: { id: 7, paid: false, lines: [{ sku: 'A' }, { sku: 'B' }], note: null, tags: ['x', null] } })).toBe(
      '<order><id>7</id><paid>false</paid><lines><sku>A</sku></lines><lines><sku>B</sku></lines><note/><tags>x</tags><tags/></order>',
    );
  });

  it('maps "@name" members to attributes and "#text" to the text before the children', () => {
    expect(xml({ amount: { '@currency': 'EUR', '#text': '12.50' } })).toBe('<amount currency="EUR">12.50</amount>');
    expect(xml({ a: { '@id': 1, '#text': 't', b: 'c' } })).toBe('<a id="1">t<b>c</b></a>');
    expect(xml({ a: { '@id': 'x' } })).toBe('<a id="x"/>');
  });

  it('writes prefixed names and namespace declarations as they are', () => {
    expect(xml({ 'p:Doc': { '@xmlns:p': 'urn:example:p', 'p:Id': 'abc' } })).toBe('<p:Doc xmlns:p="urn:example:p"><p:Id>abc</p:Id></p:Doc>');
  });

  it('escapes text and attribute values, keeping tabs and line breaks of attributes as references', () => {
    expect(xml({ a: { '@q': '"<&>\'\t\n\r', '#text': '<b> & </b> ]]>' } })).toBe(
      '<a q="&quot;&lt;&amp;>\'&#9;&#10;&#13;">&lt;b&gt; &amp; &lt;/b&gt; ]]&gt;</a>',
    );
  });

  it('leaves out undefined members, items and attributes, and null attributes', () => {
    expect(xml({ a: { b: undefined, '@c': null, '@d': undefined, e: [undefined, 1] } })).toBe('<a><e>1</e></a>');
  });

  it('keeps characters outside the BMP', () => {
    expect(xml({ 'n😀': '😀' })).toBe('<n😀>😀</n😀>');
  });

  it('refuses a payload that is not an object with exactly one element member', () => {
    for (const payload of ['text', 1, null, [], { a: 1, b: 2 }, {}, { '@a': 1 }, { '#text': 'x' }]) {
      expect(failure(payload).pointer).toBe('');
    }
    expect(failure({ a: 1, b: 2 }).message).toBe('an XML body object must have exactly one member, the root element (found 2 members)');
    expect(failure({ '@a': 1 }).message).toContain('(found "@a")');
  });

  it('refuses names that are not XML names, with the pointer of the member', () => {
    expect([failure({ '1a': 'x' }).message, failure({ '1a': 'x' }).pointer]).toEqual(['"1a" is not an XML name', '/1a']);
    expect(failure({ a: { 'b/c': 1 } }).pointer).toBe('/a/b~1c');
    expect(failure({ a: { '@ x': 1 } }).pointer).toBe('/a/@ x');
    expect(failure({ a: { b: [{ 'c d': 1 }] } }).pointer).toBe('/a/b/0/c d');
  });

  it('refuses characters XML 1.0 cannot carry, nested arrays and structured attributes', () => {
    expect(failure({ a: 'bell\u0007' }).message).toContain('a control character or a lone surrogate');
    expect(failure({ a: '\uD800x' }).pointer).toBe('/a');
    expect(failure({ a: { '@b': 'x\u0000' } }).pointer).toBe('/a/@b');
    expect(failure({ a: [[1]] }).message).toBe('an array inside an array has no XML form');
    expect(failure({ a: { '@b': { c: 1 } } }).message).toBe('an attribute value must be a string, number or boolean');
    expect(failure({ a: { '#text': [1] } }).message).toBe('"#text" must be a string, number or boolean');
  });
});
