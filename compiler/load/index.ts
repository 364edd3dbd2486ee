export * from './parse-yaml-source.js';
export * from './load-openapi.js';
export * from './load-arazzo.js';
export * from './load-limits.js';
export * from './document-reader.js';
export * from './read-ref-targets.js';
export * from './resolve-server-url.js';
