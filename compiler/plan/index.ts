export * from './bind-document.js';
export * from './build-plan.js';
export * from './compile-options.js';
export * from './detect-credentials.js';
export * from './detect-personal-data.js';
