import { describe, expect, it } from 'vitest';
import { TokenCache } from '../../../../functions/runtime/auth/index.js';

describe('TokenCache', () => {
  const mintWith = (lifetimes: (number | undefined)[]) => {
    let n = 0;
    return () => {
      const expiresInSeconds = lifetimes[n];
      n++;
      return Promise.resolve({ accessToken: `t${n}`, ...(expiresInSeconds !== undefined ? { expiresInSeconds } : {}) });
    };
  };

  it('keeps a token until expires_in minus the skew, a short-lived one for half its life, and one without expires_in for the default', async () => {
    let now = 0;
    const cache = new TokenCache({ now: () => now, skewSeconds: 30, defaultLifetimeSeconds: 60 });
    const mint = mintWith([100, 40, undefined, 10]);
    expect(await cache.token('k', mint)).toEqual({ accessToken: 't1', cached: false });
    now = 69_999;
    expect(await cache.token('k', mint)).toEqual({ accessToken: 't1', cached: true });
    now = 70_000; // 100 s − 30 s
    expect((await cache.token('k', mint)).accessToken).toBe('t2');
    now += 19_999; // 40 s is not more than twice the skew: half of it
    expect((await cache.token('k', mint)).accessToken).toBe('t2');
    now += 1;
    expect((await cache.token('k', mint)).accessToken).toBe('t3');
    now += 29_999; // no expires_in: the 60 s default, not more than twice the skew either: half of it
    expect((await cache.token('k', mint)).accessToken).toBe('t3');
    now += 1;
    expect((await cache.token('k', mint)).accessToken).toBe('t4');
  });

  it('keys are digests, evict forgets one, and the oldest entries go past the bound', async () => {
    const key = TokenCache.keyOf(['https://id.example/token', 'client_credentials', 'app', 'the-secret']);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain('the-secret');
    const cache = new TokenCache({ maxEntries: 2 });
    const mint = mintWith([3600, 3600, 3600, 3600, 3600]);
    await cache.token('a', mint);
    await cache.token('b', mint);
    await cache.token('c', mint); // a goes
    expect(await cache.token('b', mint)).toEqual({ accessToken: 't2', cached: true });
    expect(await cache.token('a', mint)).toEqual({ accessToken: 't4', cached: false });
    cache.evict('a');
    expect((await cache.token('a', mint)).cached).toBe(false);
  });

  it('shares one request between concurrent callers and keeps nothing when it fails', async () => {
    const cache = new TokenCache();
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('refused'));
    };
    await expect(Promise.all([cache.token('k', failing), cache.token('k', failing)])).rejects.toThrow('refused');
    expect(calls).toBe(1);
    expect(await cache.token('k', mintWith([60]))).toEqual({ accessToken: 't1', cached: false });
  });
});
