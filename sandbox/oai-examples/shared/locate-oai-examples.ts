import { join } from 'node:path';
import { locateDescriptions } from '../../http/locate-descriptions.js';

/** The folder holding the OAI Arazzo examples and the OpenAPI descriptions the simulators serve. */
export const OAI_EXAMPLES_DIR = join('test', 'fixtures', 'oai-examples');

/** The project's `test/fixtures/oai-examples` folder (holding `marker`), from the sources or the build. */
export const locateOaiExamples = (marker: string, start?: string): string => locateDescriptions(OAI_EXAMPLES_DIR, marker, start);
