import { describe, expect, it } from 'vitest';
import { SessionGate } from '../../../shared/usecases/session-gate';
import {
  InMemoryChannelStateStore,
  InMemoryRefreshLeases,
  ManualClock,
} from '../../support/in-memory';

function gateOf(leases: InMemoryRefreshLeases, channelState: InMemoryChannelStateStore) {
  return new SessionGate({
    leases,
    channelState,
    clock: new ManualClock(),
    owner: 'worker-1',
    waitMs: 100,
    pollMs: 10,
    sleep: async () => {},
  });
}

describe('the login gate of a channel', () => {
  it('hands the login the stored session, stores the new one and releases the lease', async () => {
    const leases = new InMemoryRefreshLeases();
    const state = new InMemoryChannelStateStore();
    await state.saveSession('bsky', 'old');
    const seen: (string | undefined)[] = [];
    const result = await gateOf(leases, state)
      .for('bsky')
      .exclusive(async (stored) => {
        seen.push(stored);
        expect(leases.held.get('bsky')?.owner).toBe('worker-1');
        return { session: 'new' };
      });
    expect(result).toEqual({ session: 'new' });
    expect(seen).toEqual(['old']);
    expect((await state.get('bsky')).session).toBe('new');
    expect(leases.held.has('bsky')).toBe(false);
  });

  it('waits while another holds the lease, then hands over the session that one stored', async () => {
    const leases = new InMemoryRefreshLeases();
    const state = new InMemoryChannelStateStore();
    await leases.take('bsky', 'worker-2', '2026-03-02T09:00:00.000Z', '2026-03-02T09:00:30.000Z');
    let polls = 0;
    const gate = new SessionGate({
      leases,
      channelState: state,
      clock: new ManualClock(),
      owner: 'worker-1',
      pollMs: 10,
      sleep: async () => {
        polls += 1;
        if (polls === 3) {
          await state.saveSession('bsky', 'made-by-worker-2');
          await leases.release('bsky', 'worker-2');
        }
      },
    });
    const seen: (string | undefined)[] = [];
    await gate.for('bsky').exclusive(async (stored) => {
      seen.push(stored);
      return {};
    });
    expect(polls).toBe(3);
    expect(seen).toEqual(['made-by-worker-2']);
  });

  it('logs in without the lease once the wait runs out, leaving the other holder its lease', async () => {
    const leases = new InMemoryRefreshLeases();
    const state = new InMemoryChannelStateStore();
    await leases.take('bsky', 'worker-2', '2026-03-02T09:00:00.000Z', '2026-03-02T09:00:30.000Z');
    let ran = 0;
    await gateOf(leases, state)
      .for('bsky')
      .exclusive(async () => {
        ran += 1;
        return {};
      });
    expect(ran).toBe(1);
    expect(leases.held.get('bsky')?.owner).toBe('worker-2');
  });
});
