/**
 * The local runtime runs every function in one process, and every handler logs through
 * the one Powertools logger of shared/observability. Two invocations at once must still
 * each write lines naming their own function, request and article.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invokeHandler } from '../../../infra/local/invoke';
import { createLogger } from '../../../infra/local/logger';
import { logger, withObservability } from '../../../shared/observability/index';

const log = createLogger({ quiet: true });
let captured: string[] = [];
const write = process.stdout.write;

beforeEach(() => {
  captured = [];
  process.stdout.write = ((chunk: unknown) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  }) as typeof process.stdout.write;
});

afterEach(() => {
  process.stdout.write = write;
});

type Line = {
  message: string;
  function_name?: string;
  function_request_id?: string;
  articleId?: string;
  step?: number;
};

/** A handler that tags its lines with its article, then logs while another one runs. */
function handlerFor(pauseMs: number) {
  return withObservability(async (event: { articleId: string }, _context: Context) => {
    logger.appendKeys({ articleId: event.articleId });
    for (let step = 1; step <= 3; step += 1) {
      await sleep(pauseMs);
      logger.info('invocation.step', { step });
    }
    return { ok: true };
  });
}

describe('log lines of concurrent invocations', () => {
  it('name their own function, request and article', async () => {
    const compose = handlerFor(15);
    const publish = handlerFor(10);
    const identity = (name: string) => ({ name, timeoutSeconds: 5, memoryMB: 256 });
    const [first, second] = await Promise.all([
      invokeHandler(compose, { articleId: 'article-compose' }, identity('compose-article'), log),
      invokeHandler(publish, { articleId: 'article-publish' }, identity('publish-share'), log),
    ]);
    process.stdout.write = write;
    expect(first.status).toBe('succeeded');
    expect(second.status).toBe('succeeded');

    const lines = captured
      .flatMap((chunk) => chunk.split('\n'))
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Line)
      .filter((line) => line.message === 'invocation.step');
    expect(lines).toHaveLength(6);
    const expected: Record<string, { articleId: string; requestId: string }> = {
      'compose-article': { articleId: 'article-compose', requestId: first.requestId },
      'publish-share': { articleId: 'article-publish', requestId: second.requestId },
    };
    for (const line of lines) {
      const own = expected[line.function_name ?? ''];
      expect(own, JSON.stringify(line)).toBeDefined();
      expect(line.articleId, JSON.stringify(line)).toBe(own?.articleId);
      expect(line.function_request_id, JSON.stringify(line)).toBe(own?.requestId);
    }
    expect(lines.filter((l) => l.function_name === 'compose-article')).toHaveLength(3);
  });

  it("do not carry a previous invocation's article into the next one", async () => {
    const tagged = handlerFor(1);
    const plain = withObservability(async (_event: unknown, _context: Context) => {
      logger.info('invocation.plain');
      return {};
    });
    const identity = (name: string) => ({ name, timeoutSeconds: 5, memoryMB: 256 });
    await invokeHandler(tagged, { articleId: 'article-earlier' }, identity('compose-article'), log);
    await invokeHandler(plain, {}, identity('sweeper'), log);
    process.stdout.write = write;
    const line = captured
      .flatMap((chunk) => chunk.split('\n'))
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Line)
      .find((l) => l.message === 'invocation.plain');
    expect(line?.function_name).toBe('sweeper');
    expect(line?.articleId).toBeUndefined();
  });
});
