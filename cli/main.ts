#!/usr/bin/env node
// The CLI's entry: it imports nothing, so that it runs on any Node. On a Node older than the
// CLI needs, the rest would crash while loading (a named import that Node 20's node:module
// lacks is a SyntaxError before any line runs); this says so in one line instead, exit 2.
// package.json's `engines` states the same version (test/cli/node-check.test.ts keeps them equal).
const REQUIRED_NODE = '22.19.0';

const older = (found: string, needed: string): boolean => {
  const [a, b] = [found, needed].map((v) => v.split('.').map((n) => Number.parseInt(n, 10) || 0));
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
};

if (older(process.versions.node, REQUIRED_NODE)) {
  process.stderr.write(`arazzo-sfn: needs Node.js ${REQUIRED_NODE} or later, found ${process.versions.node} (${process.execPath})\n`);
  process.exitCode = 2;
} else {
  await import('./cli.js');
}
