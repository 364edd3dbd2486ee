import { locateDescriptions } from '../http/locate-descriptions.js';

export const FINTECTURE_OPENAPI_FILES = {
  oauth: 'fintecture-oauth-api-openapi.yml',
  customers: 'fintecture-customers-api-openapi.yml',
  pis: 'fintecture-pis-api-openapi.yml',
} as const;

/** The project's `workflows/openapi` folder, from the sources or the build. */
export const locateFintectureOpenApi = (start?: string): string => locateDescriptions('workflows/openapi', FINTECTURE_OPENAPI_FILES.customers, start);
