import { describe, expect, it } from 'vitest';
import { mapLimited } from '../../../shared/domain/map-limited';

describe('mapLimited', () => {
  it('keeps the items’ order, runs at most the limit at once, and every item once', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    const results = await mapLimited([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running += 1;
      most = Math.max(most, running);
      seen.push(n);
      await new Promise((resolve) => setTimeout(resolve, n * 3));
      running -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('answers an empty list at once', async () => {
    expect(await mapLimited([], 4, async () => 1)).toEqual([]);
  });
});
