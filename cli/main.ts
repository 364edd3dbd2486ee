#!/usr/bin/env node
// The CLI's entry: it imports only core/node-version.ts (which imports nothing), so that it runs
// on any Node. On a Node older than the CLI needs, the rest would crash while loading (a named
// import that Node 20's node:module lacks is a SyntaxError before any line runs); this says so in
// one line instead, exit 2. The CDK construct gives the same line at synth.
import { nodeVersionProblem } from '../core/node-version.js';

const problem = nodeVersionProblem();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 2;
} else {
  await import('./cli.js');
}
