export * from './fintecture/index.js';
export * from './mbanq/index.js';
export type { FaultRule, RequestLogEntry } from './http/index.js';
export * from './start-sandboxes.js';
export * from './oai-examples/index.js';
export * from './connectfi/index.js';
export * from './psd2-bank/index.js';
