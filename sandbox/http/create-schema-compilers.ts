import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = formatsModule.default;

/**
 * Two ajv instances for OpenAPI 3.1 schemas: JSON bodies are validated as sent, while path,
 * query, header and form values arrive as strings and are coerced to the schema's type first.
 */
export interface SchemaCompilers {
  readonly strict: Ajv2020;
  readonly coercing: Ajv2020;
}

function create(coerceTypes: boolean | 'array'): Ajv2020 {
  // strict: false because OpenAPI schemas carry keywords JSON Schema does not know (`example`, `xml`, ...).
  const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

export function createSchemaCompilers(): SchemaCompilers {
  return { strict: create(false), coercing: create('array') };
}
