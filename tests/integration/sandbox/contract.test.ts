/**
 * The contract every sandbox network keeps with its real client, run over the table in
 * tests/support/sandbox-contract.ts: each fault the sandbox plays on a create ends in the
 * outcome docs/networks.md gives it, the post is there (once) or not as the fault says, and
 * reconcile then answers what the network lets it know. What only one network does stays
 * in that network's own test file.
 */
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import type { RunningSandbox } from '../../../infra/local/sandbox/types';
import type { Share } from '../../../shared/domain/share';
import type { ClientCall } from '../../../shared/platforms/client';
import {
  expectKind,
  type Harness,
  NETWORKS,
  only,
  quietLog,
  startHarness,
  tcpHandles,
  tcpServers,
} from '../../support/sandbox-contract';

describe.each(NETWORKS)('$name: the sandbox contract', (network) => {
  const { client, platform } = network;
  let h: Harness<RunningSandbox>;

  beforeAll(async () => {
    h = await startHarness(network.start);
  });
  afterEach(() => h.faults.set(undefined));
  afterAll(() => h.sandbox.stop());

  const postsOf = (share: Share) => network.postsOf(h.posts.list(), share);
  /** The client's calls as the publisher makes them, the session (Bluesky) carried along. */
  let session: string | undefined;
  const call = (share: Share, overrides: Partial<ClientCall> = {}) =>
    h.call(share, { session, ...overrides });
  const publish = async (share: Share, overrides: Partial<ClientCall> = {}) => {
    const outcome = await client.publish(call(share, overrides));
    if (outcome.session) session = outcome.session;
    return outcome;
  };
  const reconcile = async (share: Share) => {
    const outcome = await client.reconcile(call(share));
    if (outcome.session) session = outcome.session;
    return outcome;
  };
  /** A share ready for the create the fault plays on (Meta: its container made first). */
  async function ready(overrides: Partial<ClientCall> = {}): Promise<Share> {
    const share = network.share();
    return network.ready ? network.ready(client, call(share, overrides)) : share;
  }

  it('publishes with the real client: one post under the id and URL it answered, as the account', async () => {
    const share = network.share();
    const outcome = expectKind(await publish(share), 'published');
    const post = only(postsOf(share));
    expect(post).toMatchObject({
      platform,
      remoteId: outcome.remoteId,
      url: outcome.remoteUrl,
      account: h.sandbox.account,
    });
    expect(post.text.length).toBeGreaterThan(0);
  });

  it('answers a wrong secret with auth, naming neither secret, and posts nothing', async () => {
    const { field, value, says, exact, prepare } = network.wrongSecret;
    const share = network.share();
    const wrong = value(h.sandbox);
    const secret = String(h.sandbox.credentials[field]);
    const credentials = { ...h.sandbox.credentials, [field]: wrong };
    if (prepare) {
      const prepared = await client.prepare?.(h.call(share, { credentials }));
      expect(prepared).toMatchObject({ kind: 'auth' });
      for (const part of prepare) expect(JSON.stringify(prepared)).toContain(part);
      expect(JSON.stringify(prepared)).not.toContain(wrong);
      expect(JSON.stringify(prepared)).not.toContain(secret);
    }
    const outcome = expectKind(await client.publish(h.call(share, { credentials })), 'auth');
    if (exact) expect(outcome).toEqual({ kind: 'auth', message: says.join('') });
    for (const part of says) expect(outcome.message).toContain(part);
    expect(JSON.stringify(outcome)).not.toContain(wrong);
    expect(JSON.stringify(outcome)).not.toContain(secret);
    expect(postsOf(share)).toHaveLength(0);
  });

  const authFaults = network.authFaults;
  if (authFaults) {
    it.each(['auth', 'expired-token'] as const)(
      'answers the %s fault with auth and posts nothing',
      async (fault) => {
        const share = network.share();
        if (authFaults.prepare) {
          h.faults.set(`${platform}:${fault}:1:1`);
          expect(await client.prepare?.(call(share))).toMatchObject({
            kind: 'auth',
            message: expect.stringContaining(authFaults.prepare),
          });
        }
        const ready = network.ready ? await network.ready(client, call(share)) : share;
        h.faults.set(`${platform}:${fault}:1:1`);
        const outcome = expectKind(await publish(ready), 'auth');
        const said = authFaults[fault];
        if (authFaults.exact) expect(outcome).toEqual({ kind: 'auth', message: said.join('') });
        for (const part of said) expect(outcome.message).toContain(part);
        expect(postsOf(share)).toHaveLength(0);
      },
    );
  }

  it("answers the 429 with rate until the network's reset, refuses creates in its window, then posts", async () => {
    const share = await ready();
    h.faults.set(`${platform}:429:1:1`);
    const before = Date.now();
    const limited = expectKind(await publish(share), 'rate');
    const until = Date.parse(limited.until);
    expect(limited.until).toBe(new Date(until).toISOString());
    const reset = network.rateReset;
    if (reset === 'midnight') {
      const midnight = new Date();
      midnight.setUTCHours(24, 0, 0, 0);
      expect(limited.until).toBe(midnight.toISOString());
    } else {
      expect(until).toBeGreaterThanOrEqual(before + reset.min);
      expect(until).toBeLessThanOrEqual(Date.now() + reset.max);
    }
    // The rule fired once; what refuses now is the sandbox's own window.
    expectKind(await publish(share), 'rate');
    expect(postsOf(share)).toHaveLength(0);
    await vi.waitFor(async () => expectKind(await publish(share), 'published'), {
      timeout: 5_000,
      interval: 100,
    });
    expect(Date.now()).toBeGreaterThanOrEqual(before + 900);
    expect(postsOf(share)).toHaveLength(1);
  });

  it.each(network.refusals ?? ['500', '502', '503'])(
    'answers %s before the commit with unknown (never retry), and nothing is posted',
    async (fault) => {
      const share = await ready();
      h.faults.set(`${platform}:${fault}:1:1`);
      const outcome = expectKind(await publish(share), 'unknown');
      const said = network.serverError?.(fault);
      if (said && fault !== 'reset') expect(outcome.message).toContain(said);
      expect(postsOf(share)).toHaveLength(0);
      if (!network.afterRefusal) return;
      expect(await reconcile(share)).toEqual({ kind: 'absent' });
      if (!network.afterRefusal.postsOnce) return;
      const posted = expectKind(await publish(share), 'published');
      expect(only(postsOf(share)).remoteId).toBe(posted.remoteId);
    },
  );

  /** After a post whose answer was lost: exactly one post, and what reconcile can tell. */
  async function expectLost(share: Share) {
    const post = only(postsOf(share));
    if (network.publicUrl) expect(post.url).toBe(network.publicUrl(post.remoteId));
    const reconciled = await reconcile(share);
    if (network.lost === 'found') {
      expect(reconciled).toEqual({ kind: 'found', remoteId: post.remoteId, remoteUrl: post.url });
    } else {
      expect(reconciled).toEqual({
        kind: 'unsure',
        never: true,
        reason: expect.stringContaining(network.lost.unsure),
      });
    }
    expect(postsOf(share)).toHaveLength(1);
  }

  it.each(['crash-after-post', '500-after-post'])(
    'answers %s with unknown; the one post is there, and reconcile answers what the network lets it know',
    async (fault) => {
      const share = await ready();
      h.faults.set(`${platform}:${fault}:1:1`);
      expectKind(await publish(share), 'unknown');
      await expectLost(share);
    },
  );

  it('gives up on an answer that never comes within timeoutMs (unknown); the one post is there', async () => {
    const { ms, withinMs, says } = network.timeout;
    const share = await ready();
    h.faults.set(`${platform}:timeout:1:1`);
    const started = Date.now();
    const outcome = expectKind(await publish(share, { timeoutMs: ms }), 'unknown');
    const elapsed = Date.now() - started;
    if (says) expect(outcome.message).toContain(`${ms} ms`);
    expect(elapsed).toBeGreaterThanOrEqual(ms - 100);
    // The client gave up, not the sandbox (whose wait has no end).
    expect(elapsed).toBeLessThan(withinMs);
    await expectLost(share);
  });

  it('answers a slow create late but normally: published, once', async () => {
    const share = await ready();
    h.faults.set(`${platform}:slow:1:1`);
    const started = Date.now();
    const outcome = expectKind(await publish(share, { timeoutMs: 10_000 }), 'published');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(only(postsOf(share)).remoteId).toBe(outcome.remoteId);
  });

  const unreachable = network.unreachable;
  // X and Bluesky meet a stopped sandbox in their stop() tests.
  if (unreachable)
    it('answers retry when the network cannot be reached at all, and reconcile unsure', async () => {
      const closed = await network.start({
        posts: new SandboxPosts(),
        faults: new FaultInjector(undefined, 1),
        log: quietLog(),
      });
      const offline = { ...h.call(network.share()), credentials: closed.credentials };
      if (unreachable.warmUp) expectKind(await client.publish(offline), 'published');
      await closed.stop();
      const outcome = expectKind(await client.publish(offline), 'retry');
      if (unreachable.said) expect(outcome).toEqual({ kind: 'retry', message: unreachable.said });
      else expect(outcome.message).toContain('ECONNREFUSED');
      if (unreachable.prepare) {
        expect(await client.prepare?.(offline)).toMatchObject({ kind: 'retry' });
      }
      const reconciled = await client.reconcile(offline);
      expect(reconciled).toMatchObject({ kind: 'unsure' });
      if (unreachable.reasonSays) {
        expect(reconciled).toMatchObject({ reason: expect.stringContaining('ECONNREFUSED') });
      }
    });

  it('stop() ends a held create and closes the server and its sockets, leaving no open handle', async () => {
    const listeners = tcpServers();
    const handles = tcpHandles();
    const start = network.stopStart ?? network.start;
    const posts = new SandboxPosts();
    const faults = new FaultInjector(`${platform}:timeout:1`, 1);
    const stopping = await start({ posts, faults, log: quietLog() });
    expect(tcpServers()).toBe(listeners + 1);
    const share = network.share();
    const held = network.hold(stopping, client, share);
    await vi.waitFor(() => expect(posts.list()).toHaveLength(1), { timeout: 5_000, interval: 20 });

    const started = Date.now();
    await stopping.stop();
    expect(await held).toBe(network.held);
    expect(Date.now() - started).toBeLessThan(network.stopWithinMs ?? 2_000);
    // libuv lets go of a closed server's handle on a later turn of the loop.
    await vi.waitFor(() => expect(tcpServers()).toBe(listeners), { timeout: 1_000, interval: 10 });
    await vi.waitFor(() => expect(tcpHandles()).toBeLessThanOrEqual(handles), {
      timeout: 3_000,
      interval: 50,
    });
    const port = Number(new URL(stopping.url).port);
    await expect(
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket.end()));
        socket.on('error', reject);
      }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Nothing listens any more: nothing can be sent, and nothing can be looked up.
    const offline = { share, account: stopping.account, credentials: stopping.credentials };
    expect(await client.publish({ ...offline, timeoutMs: 2_000 })).toMatchObject({
      kind: 'retry',
    });
    expect(await client.reconcile({ ...offline, timeoutMs: 2_000 })).toMatchObject({
      kind: 'unsure',
    });
  });
});
