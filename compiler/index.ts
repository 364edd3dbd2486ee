export * from './compile-file.js';
export * from './diagnostics/index.js';
export * from './emit/index.js';
export * from './plan/index.js';
export { loadArazzo, loadOpenApi } from './load/index.js';
