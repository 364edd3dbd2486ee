export * from './parse-yaml-source.js';
export * from './load-openapi.js';
export * from './load-arazzo.js';
