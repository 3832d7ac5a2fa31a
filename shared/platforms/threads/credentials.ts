/**
 * A Threads channel's credentials secret: a long-lived Threads user token, the Threads
 * user id (`me` when left out), and `apiBase` for the local sandbox only.
 */
import * as z from 'zod';
import {
  graphAccessToken,
  graphUserId,
  type ParsedCredentials,
  parseGraphCredentials,
  sandboxApiBase,
} from '../meta/credentials';

export const threadsCredentialsSchema = z.object({
  /** threads_basic and threads_content_publish (threads_delete to delete); lives 60 days */
  accessToken: graphAccessToken,
  userId: graphUserId.optional(),
  apiBase: sandboxApiBase.optional(),
});

export type ThreadsCredentials = z.output<typeof threadsCredentialsSchema>;

/** Names the fields that are wrong, never their values. */
export function parseThreadsCredentials(input: unknown): ParsedCredentials<ThreadsCredentials> {
  return parseGraphCredentials(
    threadsCredentialsSchema,
    input,
    'Threads',
    '{ accessToken, userId?, apiBase? }',
  );
}
