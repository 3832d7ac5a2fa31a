import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describePost,
  missingPosts,
  nextPost,
  postCount,
  recordPost,
} from '../../../shared/domain/share-thread';

const thread = ['Second part 2/3', 'Third part 3/3'];

describe('where a thread stands', () => {
  it('starts with the first post while nothing is recorded', () => {
    expect(nextPost({ thread })).toEqual({ kind: 'root' });
    expect(describePost({ thread }, { kind: 'root' })).toBe('post 1 of 3');
    expect(missingPosts({ thread })).toBe('posts 1-3 of 3');
  });

  it('answers the first post with the first part, then each part with the one before', () => {
    expect(nextPost({ thread, remoteId: 'r1' })).toEqual({
      kind: 'reply',
      index: 0,
      parentId: 'r1',
      number: 2,
      total: 3,
    });
    expect(nextPost({ thread, remoteId: 'r1', threadIds: ['r2'] })).toEqual({
      kind: 'reply',
      index: 1,
      parentId: 'r2',
      number: 3,
      total: 3,
    });
    expect(nextPost({ thread, remoteId: 'r1', threadIds: ['r2', 'r3'] })).toEqual({
      kind: 'done',
    });
  });

  it('names what a thread that stopped short lacks, and nothing once every post is out', () => {
    expect(missingPosts({ thread, remoteId: 'r1' })).toBe('posts 2-3 of 3');
    expect(missingPosts({ thread, remoteId: 'r1', threadIds: ['r2'] })).toBe('post 3 of 3');
    expect(missingPosts({ thread, remoteId: 'r1', threadIds: ['r2', 'r3'] })).toBeUndefined();
    expect(missingPosts({ remoteId: 'r1' })).toBeUndefined();
  });

  it('treats a share without a thread as one post, done once recorded', () => {
    expect(postCount({})).toBe(1);
    expect(describePost({}, { kind: 'root' })).toBe('the post');
    expect(nextPost({ remoteId: 'r1', thread: [] })).toEqual({ kind: 'done' });
    expect(missingPosts({})).toBe('post 1 of 1');
  });

  it('records the first post as remoteId and URL, and each reply by appending its id', () => {
    const post = { remoteId: 'r2', remoteUrl: 'https://example.org/r2' };
    expect(recordPost({ thread }, { kind: 'root' }, post)).toEqual(post);
    const share = { thread, remoteId: 'r1', threadIds: ['r2'] };
    const step = nextPost(share);
    if (step.kind !== 'reply') throw new Error('expected a reply');
    expect(recordPost(share, step, { remoteId: 'r3', remoteUrl: 'u' })).toEqual({
      threadIds: ['r2', 'r3'],
    });
    expect(share.threadIds).toEqual(['r2']);
  });

  it('posts every part exactly once, each answering the one before, from the records alone', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { maxLength: 9 }), (parts) => {
        // Each step reads only what is recorded, as a retry or a reconcile reads the table.
        let stored: { thread: string[]; remoteId?: string; threadIds?: string[] } = {
          thread: parts,
        };
        const made: { id: string; parentId: string | null; text: string }[] = [];
        for (let calls = 0; calls <= parts.length + 1; calls++) {
          const step = nextPost(stored);
          if (step.kind === 'done') break;
          const id = `p${made.length + 1}`;
          made.push({
            id,
            parentId: step.kind === 'reply' ? step.parentId : null,
            text: step.kind === 'reply' ? (parts[step.index] ?? '') : 'first',
          });
          stored = { ...stored, ...recordPost(stored, step, { remoteId: id, remoteUrl: id }) };
        }
        expect(made.map((m) => m.text)).toEqual(['first', ...parts]);
        expect(made.map((m) => m.parentId)).toEqual([null, ...made.slice(0, -1).map((m) => m.id)]);
        expect(stored.threadIds ?? []).toEqual(made.slice(1).map((m) => m.id));
        expect(missingPosts(stored)).toBeUndefined();
      }),
    );
  });
});
