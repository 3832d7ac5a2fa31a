/**
 * A create on the Page (a post on its feed, a comment under a post): the fault picked and
 * logged, then played around the commit (kit/play.ts), answered with the new node's id.
 */
import { POST_FAULTS } from '../faults';
import { sendJson } from '../kit/http';
import { type Committed, playCreate, type Refusal } from '../kit/play';
import { fail } from './serialize';
import { type Exchange, PLATFORM } from './state';

export async function playPageCreate<T extends { id: string }>(
  ex: Exchange,
  route: string,
  refuse: (refusal: Refusal) => void,
  commit: () => Committed<T, void>,
): Promise<void> {
  const fault = ex.state.sandbox.faults.pick(PLATFORM, POST_FAULTS);
  if (fault) ex.state.log.info('sandbox.fault', { platform: PLATFORM, fault, route });
  await playCreate<T, void>({
    fault,
    res: ex.res,
    delay: () => ex.state.delay(ex.state.slowMs),
    refuse,
    commit,
    answer: (node) => sendJson(ex.res, 200, { id: node.id }, ex.state.usageHeader(ex.page)),
    // Facebook can post and still answer 500 (docs/networks.md, Findings 5).
    failAfterCommit: () =>
      fail(ex, 500, {
        message: 'An unexpected error has occurred. Please retry your request later.',
        code: 2,
        is_transient: true,
      }),
  });
}
