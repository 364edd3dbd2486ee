/**
 * Whole-process floor for the Respect comparison: a fresh Node process that makes seed 000's
 * calls with undici and exits. Usage: raw-seed000.js <fintecture url> <access token> <email>
 */
import { Agent } from 'undici';
import { runSeed000Raw } from '../lib/raw-calls.js';

const [url, accessToken, email] = process.argv.slice(2);
if (!url || !accessToken || !email) throw new Error('usage: raw-seed000.js <fintecture url> <access token> <email>');
const dispatcher = new Agent();
const result = await runSeed000Raw(url, { accessToken, email, firstName: 'Jane', lastName: 'Doe', providerId: 'cmcifrpp', expectedName: 'Jane Doe' }, dispatcher);
await dispatcher.close();
process.stdout.write(JSON.stringify(result) + '\n');
