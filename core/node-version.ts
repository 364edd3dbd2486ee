// The Node.js this package needs, and the one-line refusal the CLI and the CDK construct give on
// an older one. It imports nothing, so that it loads on any Node: the CLI's entry imports it
// before anything that would crash on an old Node while loading.
// package.json's `engines` states the same version (test/cli/bundle.test.ts keeps them equal).
export const REQUIRED_NODE = '22.19.0';

/** Whether version `found` (`22.19.0`) is older than `needed`. */
export function olderNode(found: string, needed: string): boolean {
  const [a, b] = [found, needed].map((v) => v.split('.').map((n) => Number.parseInt(n, 10) || 0));
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/** The one line to print when this Node is too old (`arazzo-sfn: needs Node.js ...`), else undefined. */
export function nodeVersionProblem(found: string = process.versions.node, execPath: string = process.execPath): string | undefined {
  return olderNode(found, REQUIRED_NODE) ? `arazzo-sfn: needs Node.js ${REQUIRED_NODE} or later, found ${found} (${execPath})` : undefined;
}
