export * from './parse-yaml-source.js';
export * from './load-openapi.js';
