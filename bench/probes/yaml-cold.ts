/**
 * Baseline for a cold compile: the least a YAML-based CLI does in a fresh process — load the
 * `yaml` package, then read and parse the files the compile reads.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const files = process.argv.slice(2);
if (!files.length) throw new Error('usage: yaml-cold.js <file.yaml>...');
for (const file of files) {
  if (parse(readFileSync(file, 'utf8')) === undefined) throw new Error(`${file} is empty`);
}
