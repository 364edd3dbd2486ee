export * from './build-request.js';
export * from './encode-body.js';
export * from './encode-xml.js';
export * from '../../../core/media-type.js';
export * from './send-request.js';
export * from './provider-answer.js';
export * from './retry-after.js';
