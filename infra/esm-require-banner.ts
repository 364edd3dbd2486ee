/**
 * The first line of every ES module bundle arazzo-sfn builds (the Lambda functions, the CLI):
 * CommonJS dependencies bundled into an ES module (undici, ajv) still call require(), for Node
 * built-ins and for the helpers ajv's generated code loads.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire as __arazzoCreateRequire } from 'node:module'; const require = __arazzoCreateRequire(import.meta.url);";
