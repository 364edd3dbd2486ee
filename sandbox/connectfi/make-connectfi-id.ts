import { randomBytes, randomUUID } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random base62 text, the alphabet of connectFi's ids and tokens. */
export function randomBase62(length: number): string {
  let text = '';
  // 256 is not a multiple of 62, so the first letters are a hair likelier; irrelevant for ids.
  for (const byte of randomBytes(length)) text += ALPHABET[byte % ALPHABET.length];
  return text;
}

/** An id shaped like connectFi's, e.g. `csta-6TqoA6HtSItCANO1KT0W7u` or `doc-1qfdwf5KV66EBv0vVVdmTW`. */
export function makeConnectFiId(prefix: 'csta' | 'doc'): string {
  return `${prefix}-${randomBase62(22)}`;
}

/** connectFi's `requestId`: 32 hexadecimal characters. */
export function makeRequestId(): string {
  return randomUUID().replaceAll('-', '');
}
