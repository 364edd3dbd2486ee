/**
 * An endpoint in a process of its own, for the tests that kill it (SIGKILL) to check what the next
 * endpoint on the same database makes of the executions it left RUNNING.
 * Usage: node --import tsx endpoint-process.ts <db file> <workflows dir>
 */
import { startSfnEndpoint } from '../../../../local/sfn-endpoint/index.js';

const [dbFile, workflowsDir] = process.argv.slice(2);
const endpoint = await startSfnEndpoint({ dbFile, workflowsDir });
process.stdout.write(JSON.stringify({ url: endpoint.url, region: endpoint.region }) + '\n');
// Serves until killed: the point is to die without closing anything.
setInterval(() => undefined, 60_000);
