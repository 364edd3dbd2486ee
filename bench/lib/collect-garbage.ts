import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/**
 * A full garbage collection, so that what one subject allocated is not collected (and billed)
 * while the next subject is being timed. The npm script starts Node without --expose-gc; the flag
 * can still be set at run time, and a fresh context then sees `gc`.
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
