/**
 * Peak-RSS wrapper for machines without GNU time: runs a Node script inside this process (as if
 * it had been started directly, argv included) and, as the process exits, writes its peak RSS in
 * KiB to $ARAZZO_SFN_BENCH_RSS_FILE. What this wrapper adds itself is a few hundred KiB of one
 * extra module, the same for every script it runs.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const out = process.env.ARAZZO_SFN_BENCH_RSS_FILE;
const [script, ...args] = process.argv.slice(2);
if (!out || !script) throw new Error('usage: ARAZZO_SFN_BENCH_RSS_FILE=<file> max-rss.js <script.js> [args...] | -e <code>');
delete process.env.ARAZZO_SFN_BENCH_RSS_FILE;

process.on('exit', () => writeFileSync(out, `${process.resourceUsage().maxRSS}\n`));
if (script === '-e') {
  // `node -e <code>`, the bare-process floor.
  new Function(args[0] ?? '')();
} else {
  process.argv = [process.argv[0], resolve(script), ...args];
  await import(pathToFileURL(resolve(script)).href);
}
