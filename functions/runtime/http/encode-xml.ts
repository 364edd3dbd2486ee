/**
 * Serialises a JSON payload as an XML document, for request bodies of an XML media type
 * (`application/xml`, `text/xml`, `*+xml`) whose payload is an object rather than XML text.
 *
 * The mapping:
 * - the payload is an object with exactly one member: its name is the root element;
 * - a member `"@name": value` is an attribute of the element that holds it;
 * - a member `"#text": value` is the element's text, before its child elements;
 * - any other member is a child element, in member order; an array gives one element per item;
 * - a string, number or boolean is the element's text, escaped; null is an empty element;
 * - an undefined value (an optional expression with no value) is left out.
 *
 * Element and attribute names are written as they are (so `p:name` and `@xmlns:p` work) and
 * must be XML names. The document is UTF-8 with an XML declaration. OpenAPI's `xml` schema
 * hints are not applied: the plan does not carry the schema, and a payload spelled this way
 * says the same thing explicitly.
 */
import { escapePointerToken } from '../../../core/json-pointer.js';

export class XmlPayloadError extends Error {
  constructor(
    message: string,
    /** RFC 6901 pointer into the payload. */
    readonly pointer: string,
  ) {
    super(message);
  }
}

// XML 1.0 §2.3 Name, without the astral-plane ranges of NameStartChar (surrogate pairs are allowed through below).
const NAME_START = 'A-Z_a-z:\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
// NameChar includes the combining marks U+0300–U+036F on purpose, so the class may hold combined characters.
// eslint-disable-next-line no-misleading-character-class
const NAME = new RegExp(`^(?:[${NAME_START}]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])(?:[${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$`);

// XML 1.0 §2.2 Char: no control characters but tab, LF and CR; no lone surrogates, U+FFFE or U+FFFF.
const NOT_XML_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkName(name: string, pointer: string): string {
  if (!NAME.test(name)) throw new XmlPayloadError(`"${name}" is not an XML name`, pointer);
  return name;
}

function scalarText(value: unknown, pointer: string): string {
  const text = typeof value === 'string' ? value : String(value);
  if (NOT_XML_CHAR.test(text)) throw new XmlPayloadError('the value holds a character XML 1.0 cannot carry (a control character or a lone surrogate)', pointer);
  return text;
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * A value substituted into an XML text template (`<a b="{$inputs.x}">{$inputs.y}</a>`), escaped
 * for where it lands, so a value is always data, never markup: inside a CDATA section only `]]>`
 * is split (entities are not read there); inside a tag (an attribute value, either quote) the
 * quotes and the white space an attribute would normalise are escaped too; in element text, `&`,
 * `<` and `>`. `before` is the document text up to the value.
 */
export function escapeXmlSubstitution(value: string, before: string): string {
  const cdata = before.lastIndexOf('<![CDATA[');
  if (cdata >= 0 && cdata > before.lastIndexOf(']]>')) return value.replace(/]]>/g, ']]]]><![CDATA[>');
  if (before.lastIndexOf('<') > before.lastIndexOf('>')) return escapeAttribute(value).replace(/'/g, '&apos;').replace(/>/g, '&gt;');
  return escapeText(value);
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Tab, LF and CR as references: attribute-value normalisation would turn them into spaces.
function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function element(name: string, value: unknown, pointer: string): string {
  checkName(name, pointer);
  if (value === null) return `<${name}/>`;
  if (isScalar(value)) return `<${name}>${escapeText(scalarText(value, pointer))}</${name}>`;
  if (Array.isArray(value)) throw new XmlPayloadError('an array inside an array has no XML form', pointer);
  if (typeof value !== 'object') throw new XmlPayloadError(`a ${typeof value} has no XML form`, pointer);
  let attributes = '';
  let text = '';
  let children = '';
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    const at = `${pointer}/${escapePointerToken(key)}`;
    if (member === undefined) continue;
    if (key.startsWith('@')) {
      if (member === null) continue;
      if (!isScalar(member)) throw new XmlPayloadError('an attribute value must be a string, number or boolean', at);
      attributes += ` ${checkName(key.slice(1), at)}="${escapeAttribute(scalarText(member, at))}"`;
    } else if (key === '#text') {
      if (member === null) continue;
      if (!isScalar(member)) throw new XmlPayloadError('"#text" must be a string, number or boolean', at);
      text = escapeText(scalarText(member, at));
    } else if (Array.isArray(member)) {
      member.forEach((item, i) => {
        if (item !== undefined) children += element(key, item, `${at}/${i}`);
      });
    } else {
      children += element(key, member, at);
    }
  }
  return text || children ? `<${name}${attributes}>${text}${children}</${name}>` : `<${name}${attributes}/>`;
}

/** The single root member of an XML payload, or an error saying why there is none. */
export function xmlRoot(payload: unknown): [string, unknown] {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new XmlPayloadError('an XML body needs XML text or an object with one member, the root element', '');
  }
  const members = Object.entries(payload as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (members.length !== 1 || members[0][0].startsWith('@') || members[0][0] === '#text') {
    throw new XmlPayloadError(`an XML body object must have exactly one member, the root element (found ${members.length === 1 ? `"${members[0][0]}"` : `${members.length} members`})`, '');
  }
  return members[0];
}

/** The XML document for `payload`; throws XmlPayloadError (with a pointer, never a value) when it has no XML form. */
export function encodeXml(payload: unknown): string {
  const [name, value] = xmlRoot(payload);
  return `<?xml version="1.0" encoding="UTF-8"?>${element(name, value, `/${escapePointerToken(name)}`)}`;
}
