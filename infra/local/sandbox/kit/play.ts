/**
 * How a create request plays the fault picked for it (docs/architecture.md,
 * `CRIER_SANDBOX_FAULTS`): refusals and `reset` commit nothing; `slow` answers late but
 * normally; `timeout` commits and never answers (the socket stays open until the client
 * leaves or the sandbox stops); `crash-after-post` commits and drops the connection;
 * `500-after-post` commits and answers 5xx.
 */
import type { ServerResponse } from 'node:http';
import type { Fault } from '../faults';

/** Faults that commit the post; the rest (bar `reset` and `slow`) refuse it. */
const AFTER_COMMIT: readonly Fault[] = ['timeout', 'crash-after-post', '500-after-post'];

export type Refusal = Exclude<
  Fault,
  'reset' | 'slow' | 'timeout' | 'crash-after-post' | '500-after-post'
>;

/** What a commit came to: the post, or the network's own answer (nothing committed). */
export type Committed<T, R> = { committed: T } | { answer: R };

export type CreatePlay<T, R> = {
  fault: Fault | undefined;
  res: ServerResponse;
  /** the `slow` fault's wait; false when the sandbox stopped meanwhile */
  delay: () => Promise<boolean>;
  /** the network's own answer for a refusing fault (and, for `429`, the start of its window) */
  refuse: (fault: Refusal) => R;
  /** validates and commits the post */
  commit: () => Committed<T, R> | Promise<Committed<T, R>>;
  /** the network's success answer */
  answer: (committed: T) => R;
  /** the network's 5xx for a post it has committed */
  failAfterCommit: () => R;
};

/** Plays `fault` around one create; undefined when no answer is to be written. */
export async function playCreate<T, R>(play: CreatePlay<T, R>): Promise<R | undefined> {
  const { fault, res } = play;
  if (fault === 'reset') {
    res.socket?.destroy();
    return undefined;
  }
  if (fault === 'slow' && !(await play.delay())) return undefined;
  if (fault && fault !== 'slow' && !AFTER_COMMIT.includes(fault)) {
    return play.refuse(fault as Refusal);
  }
  const result = await play.commit();
  if ('answer' in result) return result.answer;
  switch (fault) {
    case 'timeout':
      return undefined;
    case 'crash-after-post':
      res.socket?.destroy();
      return undefined;
    case '500-after-post':
      return play.failAfterCommit();
    default:
      return play.answer(result.committed);
  }
}

/** The faults a read plays that the network words itself: a rate limit or a 5xx. */
export type ReadRefusal = Extract<Fault, '429' | '500' | '502' | '503'>;

export type ReadPlay<R> = {
  fault: Fault | undefined;
  res: ServerResponse;
  delay: () => Promise<boolean>;
  refuse: (fault: ReadRefusal) => R;
};

/**
 * Plays `fault` before a read: `reset` drops the connection, `timeout` never answers,
 * `slow` waits, a refusal answers the network's own error. `{ go: true }` when the read
 * is to be answered normally; otherwise what the fault answered (undefined: nothing).
 */
export async function playRead<R>(
  play: ReadPlay<R>,
): Promise<{ go: true } | { go: false; answer?: R }> {
  const { fault, res } = play;
  if (!fault) return { go: true };
  if (fault === 'reset') {
    res.socket?.destroy();
    return { go: false };
  }
  if (fault === 'timeout') return { go: false };
  if (fault === 'slow') return (await play.delay()) ? { go: true } : { go: false };
  if (fault === '429' || fault === '500' || fault === '502' || fault === '503') {
    return { go: false, answer: play.refuse(fault) };
  }
  return { go: true };
}
