import { locateDescriptions } from '../http/locate-descriptions.js';

export const CONNECTFI_OPENAPI_FILE = 'connectfi-kyc-openapi.yml';

/** The project's `workflows/openapi` folder, from the sources or the build. */
export const locateConnectFiOpenApi = (start?: string): string => locateDescriptions('workflows/openapi', CONNECTFI_OPENAPI_FILE, start);
