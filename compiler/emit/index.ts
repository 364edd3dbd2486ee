export * from './emit-asl.js';
export * from './state-names.js';
