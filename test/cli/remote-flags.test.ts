import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUserinfo } from '../../compiler/load/remote-sources.js';
import { runCli } from './run-cli.js';

// The remote-source flags (--offline, --update-lock, --allow-private-fetch) on validate, compile
// and run: parsed, documented, and passed to the compiler (docs/remote-sources.md).

const DOC = `arazzo: 1.0.1
info: { title: remote, version: "1" }
sourceDescriptions:
  - { name: api, url: "https://api.example.test/openapi.yaml", type: openapi }
workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: getItem
        successCriteria: [{ condition: $statusCode == 200 }]
`;

let dir: string;
let doc: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arazzo-sfn-remote-flags-'));
  doc = join(dir, 'remote.arazzo.yml');
  await writeFile(doc, DOC);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('remote-source flags', () => {
  it('--offline and --update-lock together are a usage error (exit 2)', async () => {
    const r = await runCli(['compile', doc, '--offline', '--update-lock']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--offline and --update-lock contradict each other');
  }, 60_000);

  it.each(['validate', 'compile', 'run'])('%s --offline without a lock exits 2 with ASFN1027 and fetches nothing', async (command) => {
    const r = await runCli([command, doc, '--offline', ...(command === 'run' ? ['--no-cache'] : [])]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/error ASFN1027 source "api": https:\/\/api\.example\.test\/openapi\.yaml is not fetched when offline, and there is no lock file .*\[source-lock\]/);
  }, 60_000);

  it('each command documents the flags in its help', async () => {
    for (const command of ['validate', 'compile', 'run']) {
      const r = await runCli([command, '--help']);
      expect(r.stdout, command).toMatch(/--update-lock[\s\S]*--offline[\s\S]*--allow-private-fetch/);
    }
  }, 60_000);

  it('a URL with user:password@ is printed without them', () => {
    expect(redactUserinfo('cannot fetch https://me:s3cret@x.test/a.yaml: refused')).toBe('cannot fetch https://***@x.test/a.yaml: refused');
    expect(redactUserinfo('https://x.test/a@b.yaml')).toBe('https://x.test/a@b.yaml');
  });
});
