import type { FintectureHandler } from '../fintecture-context.js';
import { customerHandlers } from './customer-handlers.js';
import { oauthHandlers } from './oauth-handlers.js';
import { pisHandlers } from './pis-handlers.js';

/** operationId -> handler, across the three Fintecture APIs. Operations without one answer 501. */
export const fintectureHandlers: Readonly<Record<string, FintectureHandler>> = { ...oauthHandlers, ...customerHandlers, ...pisHandlers };

export { customerHandlers, oauthHandlers, pisHandlers };
