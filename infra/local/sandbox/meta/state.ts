/**
 * A Meta sandbox's in-memory Graph host: the network it plays, the account with its
 * containers and media, the request log, and the usage header, field selection and
 * "unsupported" answers every route shares.
 */
import type { Logger } from '../../logger';
import { AuthLedger, type AuthorizationServer, type OAuthApp } from '../kit/oauth';
import type { SandboxContext } from '../types';
import { DAY_MS, GraphAccount } from './account';
import { graphError, idGenerator, json, type Reply, shortcode } from './http';
import { type MetaLogin, metaApp, metaAuthorizationServer } from './login';
import type { GraphNetwork, GraphSandboxOptions } from './network';

export class GraphState {
  readonly platform: GraphNetwork['platform'];
  readonly nextId = idGenerator();
  readonly readyMs: number;
  readonly ttlMs: number;
  readonly slowMs: number;
  /** how long a post's insights stay empty after publishing */
  readonly insightsLagMs: number;
  readonly account: GraphAccount;
  readonly accounts: Map<string, GraphAccount>;
  readonly requestLog: { method: string; path: string }[] = [];
  /** the network's login (login.ts), whose tokens act for the one account */
  readonly login?: { network: MetaLogin; auth: AuthorizationServer; app: OAuthApp };
  /** the sandbox's own URL, once it listens */
  base = '';
  delay: (ms: number) => Promise<boolean> = async () => false;

  constructor(
    readonly network: GraphNetwork,
    readonly sandbox: SandboxContext,
    readonly log: Logger,
    options: GraphSandboxOptions,
  ) {
    const { platform } = network;
    this.platform = platform;
    this.readyMs = options.readyMs ?? 200;
    this.ttlMs = options.containerTtlMs ?? DAY_MS;
    this.slowMs = options.slowMs ?? 3_000;
    this.insightsLagMs = options.insightsLagMs ?? network.insights?.lagMs ?? 0;
    this.account = new GraphAccount(
      this.nextId(),
      options.username ?? 'newsroom',
      `${platform === 'threads' ? 'THAA' : 'IGAA'}${shortcode()}${shortcode()}${shortcode()}`,
      options.publishQuota ?? network.defaultQuota,
    );
    this.accounts = new Map([[this.account.token, this.account]]);
    if (network.login && (platform === 'threads' || platform === 'instagram')) {
      const auth = metaAuthorizationServer(
        network.login,
        platform,
        sandbox.auth?.ledger ?? new AuthLedger(),
        sandbox.auth?.tokenSeconds,
      );
      this.login = { network: network.login, auth, app: auth.register(metaApp()) };
    }
    if (platform === 'instagram' && sandbox.auth?.links) {
      sandbox.auth.links.instagramAccountId = this.account.id;
    }
  }
}

/**
 * Meta's usage header: percentages of a budget Meta does not disclose, and, while
 * blocked, when access returns (whole minutes, rounded up).
 */
export function usage(g: GraphState, a: GraphAccount, now: number): Record<string, string> {
  const blocked = a.rateLimitedUntil > now;
  const percent = blocked ? 100 : 1;
  return {
    'x-business-use-case-usage': JSON.stringify({
      [a.id]: [
        {
          type: g.network.usageType,
          call_count: percent,
          total_cputime: percent,
          total_time: percent,
          estimated_time_to_regain_access: blocked
            ? Math.ceil((a.rateLimitedUntil - now) / 60_000)
            : 0,
        },
      ],
    }),
  };
}

export const throttled = (g: GraphState, a: GraphAccount, now: number) =>
  graphError(g.network.throttled, 400, usage(g, a, now));

export const unsupported = (g: GraphState, method: string, id: string): Reply =>
  graphError({
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
    type: g.network.unsupportedType,
    code: 100,
    error_subcode: 33,
  });

/** Only the fields asked for, and `id`; an unknown field is Graph's 400. */
export function select(
  node: Record<string, unknown>,
  fields: string | undefined,
  type: string,
): Reply {
  const wanted = (fields ?? 'id')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const out: Record<string, unknown> = {};
  for (const field of wanted) {
    if (!(field in node)) {
      return graphError({
        message: `(#100) Tried accessing nonexisting field (${field}) on node type (${type})`,
        code: 100,
      });
    }
    if (node[field] !== undefined) out[field] = node[field];
  }
  return json(200, { ...out, id: node.id });
}
