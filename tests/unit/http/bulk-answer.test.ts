/**
 * How the bulk route answers each share's outcome: the status and reason its own route
 * would have given, checked against the route's own answer schema; a fault of ours says
 * no more than its status.
 */
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PostTextError,
  StoreWriteError,
  ValidationError,
} from '../../../shared/domain/errors';
import { bulkAnswer, bulkAnswerSchema } from '../../../shared/http/bulk-routes';

const ref = { articleId: 'a1', channelId: 'x-newsroom' };

describe('a bulk answer', () => {
  it("gives each refusal its own route's status, code and message, with the fields of a 400", () => {
    const answer = bulkAnswer([
      { ...ref, ok: false, error: new ConflictError('A published share cannot be cancelled') },
      { ...ref, ok: false, error: new NotFoundError('No article a1') },
      { ...ref, ok: false, error: new ForbiddenError('Only an admin may confirm') },
      {
        ...ref,
        ok: false,
        error: new ValidationError('Invalid dueAt: is in the past', [
          { field: 'dueAt', message: 'is in the past' },
        ]),
      },
      {
        ...ref,
        ok: false,
        error: new PostTextError('too long', { used: 290, limit: 280, unit: 'weighted' }),
      },
    ]);
    expect(bulkAnswerSchema.parse(answer)).toEqual(answer);
    expect(answer.results.map((r) => [r.ok, r.status, r.error])).toEqual([
      [false, 409, 'conflict'],
      [false, 404, 'not_found'],
      [false, 403, 'forbidden'],
      [false, 400, 'invalid_request'],
      [false, 400, 'invalid_request'],
    ]);
    expect(answer.results[0]?.message).toBe('A published share cannot be cancelled');
    expect(answer.results[3]?.fields).toEqual([{ field: 'dueAt', message: 'is in the past' }]);
    expect(answer.results[4]?.length).toEqual({ used: 290, limit: 280, unit: 'weighted' });
  });

  it('says no more than its status for a fault of ours, whatever the error carried', () => {
    const answer = bulkAnswer([
      { ...ref, ok: false, error: new Error('connect ECONNREFUSED 10.0.0.7:8000 secret=abc') },
      { ...ref, ok: false, error: new StoreWriteError('ValidationException: item too big') },
    ]);
    expect(answer.results).toEqual([
      { ...ref, ok: false, status: 500, error: 'internal_error', message: 'Internal error' },
      {
        ...ref,
        ok: false,
        status: 500,
        error: 'write_failed',
        message: 'The change could not be saved',
      },
    ]);
    expect(JSON.stringify(answer)).not.toMatch(/ECONNREFUSED|secret|ValidationException/);
  });
});
