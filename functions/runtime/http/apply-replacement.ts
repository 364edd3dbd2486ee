import { exec, type JsonValue } from 'jsonpath-rfc9535';
import { engineMessage, xmlDocumentOf } from '../../../core/criteria/xml-context.js';
import { loadedXPath31Engine } from '../../../core/criteria/xpath31-engine.js';
import { expressionError, planError } from '../../../core/errors.js';
import type { ReplacementPlan } from '../../../core/plan.js';
import { setAtPointer } from './build-request.js';

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Every location a JSONPath target selects gets the value; a target that selects none fails the step (the body would go out unchanged). */
function replaceAtJsonPath(payload: unknown, target: string, value: unknown, where: string): unknown {
  if (payload === null || typeof payload !== 'object') throw planError(`${where}: a JSONPath target applies to a JSON payload, not to a ${typeof payload} one`);
  const root = structuredClone(payload) as JsonValue;
  const locations: (string | number)[][] = [];
  try {
    exec(root, target, (_node, path) => locations.push([...path]));
  } catch (err) {
    throw expressionError(`${where}: could not be evaluated: ${engineMessage(err)}`, { cause: err });
  }
  if (!locations.length) throw expressionError(`${where}: the JSONPath target selects nothing in the payload`);
  for (const path of locations) {
    if (!path.length) return value;
    let node = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path[path.length - 1]] = value;
  }
  return root;
}

/** The text of every node an XPath target selects becomes the value (escaped by the serializer); none selected fails the step. */
function replaceAtXPath(payload: unknown, target: string, value: unknown, where: string): string {
  const engine = loadedXPath31Engine();
  if (!engine) throw new Error('an xpath replacement target is written only after prepareCriteria() has loaded the XPath engine');
  const document = xmlDocumentOf(payload, where, engine.parseXml, true);
  let count: number;
  try {
    count = engine.replace(target, document, asText(value));
  } catch (err) {
    throw expressionError(`${where}: could not be evaluated: ${engineMessage(err)}`, { cause: err });
  }
  if (!count) throw expressionError(`${where}: the XPath target selects nothing in the payload`);
  return engine.serialize(document);
}

/**
 * Writes one Payload Replacement Object's value into the payload (Arazzo 1.1): at a JSON pointer
 * (RFC 6901, members created as needed), at every node a JSONPath target selects, or into the
 * text of every node an XPath target selects in an XML text payload. `xml` says the payload's
 * media type is XML, which makes an untyped target an XPath.
 */
export function applyReplacement(payload: unknown, replacement: ReplacementPlan, value: unknown, xml: boolean, where: string): unknown {
  const kind = replacement.targetType?.type ?? (xml && typeof payload === 'string' ? 'xpath' : 'jsonpointer');
  switch (kind) {
    case 'jsonpointer':
      if (payload !== null && payload !== undefined && typeof payload !== 'object') {
        throw planError(`${where}: a JSON pointer target applies to a JSON payload, not to a ${typeof payload} one`);
      }
      return setAtPointer(payload, replacement.target, value);
    case 'jsonpath':
      return replaceAtJsonPath(payload, replacement.target, value, where);
    case 'xpath':
      if (typeof payload !== 'string') throw planError(`${where}: an XPath target applies to an XML text payload, not to ${Array.isArray(payload) ? 'an array' : `a ${typeof payload}`}`);
      return replaceAtXPath(payload, replacement.target, value, where);
  }
}
