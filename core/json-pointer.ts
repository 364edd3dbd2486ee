/**
 * RFC 6901 JSON pointer tokens: the one escaping rule every part of the project reads and writes
 * pointers with (runtime expressions, replacements, callbacks, XML payload errors, the compiler's
 * diagnostics). Runtime code: the compiler may import it, never the other way round.
 */

/** `~` is written `~0` and `/` is written `~1`, in that order (§3). */
export const escapePointerToken = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** `~1` before `~0`, so that `~01` decodes to `~1` and not `/` (§4). */
export const unescapePointerToken = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** The decoded tokens of a pointer (`/a/b~1c` → `['a', 'b/c']`); an optional URI-fragment `#` is ignored. */
export function pointerTokens(pointer: string): string[] {
  const bare = pointer.replace(/^#/, '');
  return bare === '' ? [] : bare.replace(/^\//, '').split('/').map(unescapePointerToken);
}

/** The pointer of a list of tokens (`['a', 'b/c']` → `/a/b~1c`). */
export const toPointer = (tokens: readonly (string | number)[]): string => tokens.map((t) => `/${escapePointerToken(String(t))}`).join('');
