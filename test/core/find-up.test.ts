import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findUp } from '../../core/find-up.js';

describe('findUp', () => {
  const root = mkdtempSync(join(tmpdir(), 'find-up-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'a/b/c'), { recursive: true });
  mkdirSync(join(root, 'a/node_modules'), { recursive: true });
  writeFileSync(join(root, 'marker.txt'), '');
  writeFileSync(join(root, 'a/b/marker.txt'), '');
  writeFileSync(join(root, 'a/node_modules/.package-lock.json'), '{}');

  it('returns the nearest match, starting at the given folder itself', () => {
    expect(findUp(join(root, 'a/b/c'), 'marker.txt')).toBe(join(root, 'a/b/marker.txt'));
    expect(findUp(join(root, 'a/b'), 'marker.txt')).toBe(join(root, 'a/b/marker.txt'));
    expect(findUp(join(root, 'a'), 'marker.txt')).toBe(join(root, 'marker.txt'));
  });

  it('tries each candidate at one level before going up, and accepts nested paths', () => {
    expect(findUp(join(root, 'a/b/c'), ['node_modules/.modules.yaml', 'node_modules/.package-lock.json', 'marker.txt'])).toBe(join(root, 'a/b/marker.txt'));
    expect(findUp(join(root, 'a/b/c'), ['node_modules/.modules.yaml', 'node_modules/.package-lock.json'])).toBe(join(root, 'a/node_modules/.package-lock.json'));
  });

  it('stops at the file-system root with undefined', () => {
    expect(findUp(join(root, 'a/b/c'), 'no-such-file-anywhere-9f2c1.txt')).toBeUndefined();
  });
});
