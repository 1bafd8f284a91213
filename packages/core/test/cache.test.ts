import { LoadingCache } from '../src/cache.js';
import { CsfleError, ErrorCodes } from '../src/errors.js';

function make(now: { t: number }) {
  return new LoadingCache<string>({ ttlMs: 1000, staleIfErrorMs: 5000, maxEntries: 3, now: () => now.t, retryAfterErrorMs: 100 });
}

describe('LoadingCache', () => {
  it('single-flight: 1,000 concurrent cold gets make one load', async () => {
    const clock = { t: 0 };
    const c = make(clock);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return 'v';
    };
    const results = await Promise.all(Array.from({ length: 1000 }, () => c.get('k', load)));
    expect(loads).toBe(1);
    expect(new Set(results)).toEqual(new Set(['v']));
    expect(c.get('k', load)).toBe('v'); // synchronous once loaded
  });

  it('reloads after the TTL and when isValid rejects', async () => {
    const clock = { t: 0 };
    const c = make(clock);
    let n = 0;
    const load = async () => `v${++n}`;
    expect(await c.get('k', load)).toBe('v1');
    clock.t = 999;
    expect(c.get('k', load)).toBe('v1');
    clock.t = 1000;
    expect(await c.get('k', load)).toBe('v2');
    expect(await c.get('k', load, (v) => v !== 'v2')).toBe('v3');
  });

  it('serves a stale value through a retriable outage, then gives up', async () => {
    const clock = { t: 0 };
    const c = make(clock);
    expect(await c.get('k', async () => 'good')).toBe('good');
    let calls = 0;
    const down = async (): Promise<string> => {
      calls++;
      throw new CsfleError(ErrorCodes.KMS_UNAVAILABLE, 'down', { retriable: true });
    };
    clock.t = 1500;
    expect(await c.get('k', down)).toBe('good');
    expect(c.get('k', down)).toBe('good'); // no reload storm while the outage lasts
    expect(calls).toBe(1);
    clock.t = 7000; // past ttl + staleIfError
    await expect(c.get('k', down)).rejects.toMatchObject({ code: ErrorCodes.KMS_UNAVAILABLE });
  });

  it('does not serve stale values for non-retriable errors, and does not cache failures', async () => {
    const clock = { t: 0 };
    const c = make(clock);
    await c.get('k', async () => 'good');
    clock.t = 1500;
    const denied = async (): Promise<string> => {
      throw new CsfleError(ErrorCodes.KMS_DENIED, 'denied');
    };
    await expect(c.get('k', denied)).rejects.toMatchObject({ code: ErrorCodes.KMS_DENIED });
    await expect(c.get('x', denied)).rejects.toMatchObject({ code: ErrorCodes.KMS_DENIED });
    expect(await c.get('x', async () => 'ok')).toBe('ok');
  });

  it('is bounded', async () => {
    const c = make({ t: 0 });
    for (const k of ['a', 'b', 'c', 'd']) await c.get(k, async () => k);
    expect(c.size).toBe(3);
    expect(c.peek('a')).toBeUndefined();
    expect(c.peek('d')).toBe('d');
  });
});
