import { locateDescriptions } from '../http/locate-descriptions.js';

export const MBANQ_OPENAPI_FILE = 'mbanq-cloud-openapi.yml';

/** The project's `workflows/openapi` folder, from the sources or the build. */
export const locateMbanqOpenApi = (start?: string): string => locateDescriptions('workflows/openapi', MBANQ_OPENAPI_FILE, start);
