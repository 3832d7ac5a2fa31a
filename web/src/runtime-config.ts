/**
 * `/config.json`, what the page learns about where it runs: locally, that it asks for
 * the editor token; in AWS, the Cognito sign-in the CDK app deployed beside it.
 */
import * as z from 'zod/mini';

export const runtimeConfigSchema = z.object({
  auth: z.union([
    z.object({ mode: z.literal('token') }),
    z.object({
      mode: z.literal('cognito'),
      /** the hosted sign-in domain, `https://<prefix>.auth.<region>.amazoncognito.com` */
      domain: z.string(),
      clientId: z.string(),
    }),
  ]),
  /**
   * The local runtime's sandbox post pages (`/sandbox/posts`): published posts open
   * there rather than on the real network. Never set in AWS.
   */
  sandboxPosts: z.optional(z.string()),
});

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

export const LOCAL_RUNTIME_CONFIG: RuntimeConfig = {
  auth: { mode: 'token' },
  sandboxPosts: '/sandbox/posts',
};
