import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

const HEADER = `# Benchmark results

Written by \`npm run bench\` (see [README.md](README.md) for what each benchmark measures and how
to read the ratios). Each section is replaced when its benchmark runs again, so sections can come
from different runs: compare numbers only within one section, which records its own machine,
Node version, date and commit.
`;

const begin = (name: string) => `<!-- bench:${name} -->`;
const end = (name: string) => `<!-- /bench:${name} -->`;

/** Replaces the section of benchmark `name` in the results file, or appends it; other sections are kept. */
export async function writeSection(file: string, name: string, body: string): Promise<void> {
  let text = existsSync(file) ? await readFile(file, 'utf8') : HEADER;
  const block = `${begin(name)}\n${body.trim()}\n${end(name)}`;
  const from = text.indexOf(begin(name));
  const to = text.indexOf(end(name));
  if (from >= 0 && to > from) text = text.slice(0, from) + block + text.slice(to + end(name).length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(file, text);
}
