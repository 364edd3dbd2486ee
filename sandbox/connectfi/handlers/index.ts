import type { ConnectFiHandler } from '../connectfi-context.js';
import { authHandlers } from './auth-handlers.js';
import { customerHandlers } from './customer-handlers.js';
import { kycHandlers } from './kyc-handlers.js';

/** operationId -> handler. Operations without one answer 501. */
export const connectFiHandlers: Readonly<Record<string, ConnectFiHandler>> = { ...authHandlers, ...customerHandlers, ...kycHandlers };

export { authHandlers, customerHandlers, kycHandlers };
