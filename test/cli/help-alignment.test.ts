import { describe, expect, it } from 'vitest';
import { compileHelp } from '../../cli/commands/compile.js';
import { runHelp } from '../../cli/commands/run.js';
import { serveHelp } from '../../cli/commands/serve.js';

/** The indents of a help text's continuation lines (an option's description wrapped onto the next lines). */
const continuationIndents = (help: string) => new Set(help.split('\n').flatMap((line) => (/^ {5,}\S/.test(line) ? [line.length - line.trimStart().length] : [])));

describe('command help', () => {
  // Shared option texts (--signing) are inserted into commands whose descriptions start at different columns.
  it.each([
    ['serve', serveHelp],
    ['run', runHelp],
    ['compile', compileHelp],
  ])('%s --help wraps every option description at one column', (_command, help) => {
    expect([...continuationIndents(help)]).toHaveLength(1);
  });
});
