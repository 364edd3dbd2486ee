import { dirname } from 'node:path';
import { findUp } from '../../core/find-up.js';

/**
 * The directory holding package-lock.json above this module, whether it runs from the sources or
 * from dist/: where this repository's seed workflows are (the seeds app, infra/app.ts).
 */
export function projectRoot(): string {
  const lock = findUp(import.meta.dirname, 'package-lock.json');
  if (!lock) throw new Error(`arazzo-sfn: no package-lock.json above ${import.meta.dirname}`);
  return dirname(lock);
}
