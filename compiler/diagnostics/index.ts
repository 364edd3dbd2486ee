export * from './diagnostic.js';
export * from './codes.js';
