/**
 * `npm run conformance`: compiles every document of the public conformance corpus
 * (test/conformance/corpus/MANIFEST.json), prints a table (document, expected, got) and the totals,
 * and exits 1 when any document's outcome differs from the one pinned for it.
 */
import { formatTable, runConformance } from './harness.js';

const rows = await runConformance();
console.log(formatTable(rows));
process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
