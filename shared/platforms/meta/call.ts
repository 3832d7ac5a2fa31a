/**
 * One call of the container client: the network, the Graph API bound to the call's
 * deadline, and the target account; messages scrubbed of the token; and a post's
 * permalink, read as a courtesy once the post exists.
 */
import * as z from 'zod';
import type { ClientCall } from '../client';
import { type GraphApi, graphRequest } from './graph';
import type { ContainerNetwork, GraphTarget } from './network';

/** The permalink is a courtesy after the post exists: never worth more than this. */
const PERMALINK_MS = 3_000;

const permalinkSchema = z.object({ permalink: z.url().optional() });

export type Call = {
  network: ContainerNetwork;
  api: GraphApi;
  target: GraphTarget;
  timeoutMs: number;
  endsAt: number;
};

export function open(
  network: ContainerNetwork,
  call: ClientCall,
): Call | { kind: 'invalid'; message: string } {
  const parsed = network.target(call.credentials);
  if (!parsed.ok) return { kind: 'invalid', message: parsed.message };
  const target = parsed.credentials;
  return {
    network,
    api: {
      base: target.base,
      accessToken: target.accessToken,
      signal: AbortSignal.timeout(call.timeoutMs),
    },
    target,
    timeoutMs: call.timeoutMs,
    endsAt: Date.now() + call.timeoutMs,
  };
}

/** Meta echoes no tokens, but a message must never carry one whatever Meta says. */
export function clean(text: string, call: Call): string {
  return text.split(call.target.accessToken).join('[token]');
}

export function scrub<T extends { message: string }>(outcome: T, call: Call): T {
  return { ...outcome, message: clean(outcome.message, call) };
}

export async function permalinkOf(call: Call, mediaId: string): Promise<string | undefined> {
  const answer = await graphRequest(
    {
      ...call.api,
      signal: AbortSignal.any([call.api.signal, AbortSignal.timeout(PERMALINK_MS)]),
    },
    'GET',
    `/${mediaId}`,
    { fields: 'permalink' },
  );
  if (!answer.ok) return undefined;
  const parsed = permalinkSchema.safeParse(answer.body);
  return parsed.success ? parsed.data.permalink : undefined;
}
