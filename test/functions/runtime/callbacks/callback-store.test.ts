import { describe, expect, it } from 'vitest';
import { InMemoryCallbackStore, type PendingCallback } from '../../../../functions/runtime/callbacks/callback-store.js';

const callback = (id: string, createdAt: number, stepId = 'kyc'): PendingCallback => ({
  id,
  taskToken: `token-${id}`,
  workflowId: 'w',
  stepId,
  event: { step: stepId, inputs: {}, steps: {} } as never,
  createdAt,
  settled: false,
  statuses: [],
});

describe('InMemoryCallbackStore evicts settled and expired callbacks', () => {
  it('a settled callback is kept for the retention (a replay is told it settled), then evicted', async () => {
    let now = 1_000_000;
    const store = new InMemoryCallbackStore({ now: () => now, settledRetentionMs: 60_000 });
    await store.put(callback('a', now));
    expect(await store.settle('a', 'APPROVED')).toBe(true);
    now += 59_000;
    expect(await store.settle('a', 'APPROVED')).toBe(false);
    expect((await store.get('a'))?.settled).toBe(true);
    now += 2_000;
    expect(await store.get('a')).toBeUndefined();
    await store.put(callback('b', now));
    expect(store.size).toBe(1);
  });

  it('a callback that never settles is evicted after its step timeout plus the margin, by a later put', async () => {
    let now = 1_000_000;
    const store = new InMemoryCallbackStore({ now: () => now, timeoutSecondsFor: (_w, s) => (s === 'kyc' ? 10 : undefined), marginSeconds: 5 });
    await store.put(callback('a', now));
    await store.put(callback('other', now, 'untimed'));
    now += 14_000;
    expect(await store.get('a')).toBeDefined();
    now += 2_000;
    await store.put(callback('c', now));
    // 'a' is past 10 s + 5 s and swept; 'other' has only the 5 s margin.
    expect(store.size).toBe(1);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.settle('a', 'APPROVED')).toBe(false);
  });

  it('10,000 settled callbacks do not stay: the store holds only the live ones', async () => {
    let now = 1_000_000;
    const store = new InMemoryCallbackStore({ now: () => now, settledRetentionMs: 1_000 });
    for (let i = 0; i < 10_000; i++) {
      await store.put(callback(`id-${i}`, now));
      await store.settle(`id-${i}`, 'DONE');
      now += 10;
    }
    expect(store.size).toBeLessThanOrEqual(200);
  });
});
