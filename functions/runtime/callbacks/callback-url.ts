import { randomBytes } from 'node:crypto';

/** 256 random bits: the callback id is the only proof a caller is the provider this execution called. */
export const newCallbackId = () => randomBytes(32).toString('base64url');

export const callbackUrlFor = (baseUrl: string, id: string) => `${baseUrl.replace(/\/+$/, '')}/callbacks/${id}`;

/** The id in a callback request path (`/callbacks/<id>`), or undefined. */
export function callbackIdOf(path: string): string | undefined {
  return /^\/callbacks\/([A-Za-z0-9_-]{43})\/?(?:\?.*)?$/.exec(path)?.[1];
}
