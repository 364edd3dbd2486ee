export * from './fintecture/index.js';
export type { FaultRule, RequestLogEntry } from './http/index.js';
