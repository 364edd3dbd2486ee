import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random id such as `cus_7Hq2...`; `prefix` says what kind of resource it names. */
export function makeId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let id = '';
  // 256 is not a multiple of 62, so the first letters are a hair likelier; irrelevant for ids.
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return prefix ? `${prefix}_${id}` : id;
}
