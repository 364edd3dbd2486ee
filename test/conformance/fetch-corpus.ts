/**
 * `npm run conformance:fetch`: brings the files of the corpus origins marked `cached` in
 * MANIFEST.json into their gitignored folder (test/conformance/cache/<origin>/), each from the
 * origin's repository at the pinned commit and checked against the SHA-256 the manifest pins.
 * They are not committed (DESIGN, corpus licences), so a machine without them skips their
 * documents and says so.
 *
 *   npm run conformance:fetch                               # from raw.githubusercontent.com
 *   npm run conformance:fetch -- --git arazzo-examples=/path/to/clone   # offline, from a local clone
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { readManifest, ROOT, type Origin } from './harness.js';

const MAX_BYTES = 1024 * 1024;
const TIMEOUT_MS = 15_000;

async function fromGitHub(origin: Origin, path: string): Promise<Buffer> {
  const url = `https://raw.githubusercontent.com/${origin.repo}/${origin.commit}/${path.split('/').map(encodeURIComponent).join('/')}`;
  const res = await request(url, { headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`${url}: HTTP ${res.statusCode}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BYTES) throw new Error(`${url}: larger than ${MAX_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function fromClone(clone: string, origin: Origin, path: string): Promise<Buffer> {
  const { stdout } = await promisify(execFile)('git', ['-C', clone, 'show', `${origin.commit}:${path}`], {
    encoding: 'buffer',
    maxBuffer: MAX_BYTES,
  });
  return stdout;
}

const clones = new Map<string, string>();
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const [name, dir] = args[i] === '--git' ? (args[++i] ?? '').split('=') : [];
  if (!name || !dir) throw new Error('usage: fetch-corpus.ts [--git <origin>=<clone dir>]...');
  clones.set(name, dir);
}

const manifest = await readManifest();
let failed = 0;
for (const [name, origin] of Object.entries(manifest.origins)) {
  for (const [path, digest] of Object.entries(origin.cached ?? {})) {
    try {
      const clone = clones.get(name);
      const bytes = clone ? await fromClone(clone, origin, path) : await fromGitHub(origin, path);
      if (createHash('sha256').update(bytes).digest('hex') !== digest) throw new Error('SHA-256 differs from the pinned one');
      const target = join(ROOT, origin.folder, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
      console.log(`ok    ${name} ${path}`);
    } catch (e) {
      failed++;
      console.log(`FAIL  ${name} ${path}: ${(e as Error).message}`);
    }
  }
}
process.exitCode = failed ? 1 : 0;
