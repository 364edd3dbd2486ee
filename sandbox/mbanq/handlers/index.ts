import type { MbanqHandler } from '../mbanq-context.js';
import { clientHandlers } from './client-handlers.js';
import { oauthHandlers } from './oauth-handlers.js';

/** operationId -> handler. Operations without one answer 501. */
export const mbanqHandlers: Readonly<Record<string, MbanqHandler>> = { ...oauthHandlers, ...clientHandlers };

export { clientHandlers, oauthHandlers };
export { DOCUMENT_TYPES } from './client-handlers.js';
