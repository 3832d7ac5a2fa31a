/** SQS message bodies: JSON, checked against the message's schema. */
import * as z from 'zod';

export function jsonMessage<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((body, ctx) => {
      try {
        return JSON.parse(body) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'the message body is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}
