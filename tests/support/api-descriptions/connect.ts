/**
 * Connect for a Mastodon channel, as the API runs it, against the Mastodon sandbox behind
 * a recording proxy: Crier's app registered on the instance, the consent page answered,
 * the code exchanged for a token and the token checked; the exchanges kept.
 */
import { ChannelCredentials } from '../../../shared/config/credentials';
import type { ChannelSecrets } from '../../../shared/domain/ports';
import { verifyCredentials } from '../../../shared/platforms/verify';
import {
  type ConnectDeps,
  type ConnectStore,
  finishConnect,
  startConnect,
} from '../../../shared/usecases/connect-channel';
import { inMemoryWorld } from '../in-memory';
import { consentForm } from '../oauth-flow';
import { NETWORKS, startHarness } from '../sandbox-contract';
import type { Flow } from './flows';
import { startRecorder } from './recorder';

class MapSecrets implements ChannelSecrets {
  readonly values = new Map<string, unknown>();
  async get(channelId: string) {
    return this.values.get(channelId);
  }
  async put(channelId: string, value: unknown) {
    this.values.set(channelId, structuredClone(value));
  }
}

type ConnectState = Parameters<ConnectStore['put']>[0];
type PendingChoice = Parameters<ConnectStore['putChoice']>[0];

class MapConnectStore implements ConnectStore {
  private readonly states = new Map<string, ConnectState>();
  private readonly apps = new Map<string, { clientId: string; clientSecret: string }>();
  private readonly choices = new Map<string, PendingChoice>();
  async put(state: ConnectState) {
    this.states.set(state.state, state);
  }
  async take(state: string) {
    const found = this.states.get(state);
    this.states.delete(state);
    return found;
  }
  async mastodonApp(origin: string) {
    return this.apps.get(origin);
  }
  async saveMastodonApp(origin: string, app: { clientId: string; clientSecret: string }) {
    this.apps.set(origin, app);
  }
  async putChoice(choice: PendingChoice) {
    this.choices.set(choice.id, choice);
  }
  async getChoice(id: string) {
    return this.choices.get(id);
  }
  async useChoice(id: string, at: string) {
    const choice = this.choices.get(id);
    if (!choice || choice.usedAt) return false;
    choice.usedAt = at;
    return true;
  }
}

export async function recordMastodonConnect(): Promise<Flow> {
  const network = NETWORKS.find((n) => n.platform === 'mastodon');
  if (!network) throw new Error('no Mastodon network');
  const harness = await startHarness(network.start);
  const recorder = await startRecorder(harness.sandbox.url);
  const world = inMemoryWorld(new Date());
  const secrets = new MapSecrets();
  const deps: ConnectDeps = {
    health: {
      directory: world.directory,
      credentials: new ChannelCredentials({}, secrets),
      verify: (platform, credentials) => verifyCredentials(platform, credentials),
      channelState: world.channelState,
      clock: world.clock,
    },
    apps: { get: async () => undefined },
    store: new MapConnectStore(),
    pending: new MapSecrets(),
    apiUrl: 'http://127.0.0.1:9/',
    editorUrl: 'http://127.0.0.1:9',
    appSetting: () => 'CRIER_APP_MASTODON',
  };
  try {
    await world.directory.putSite({ id: 'default', name: 'Default' } as never, { who: 'test' });
    await world.directory.putChannel(
      {
        id: 'news-mastodon',
        platform: 'mastodon',
        account: 'newsroom',
        siteId: 'default',
        template: '{title} {url}',
      } as never,
      { who: 'test' },
    );
    const { authorizeUrl } = await startConnect(deps, 'news-mastodon', 'admin@example.org', {
      instance: recorder.url,
    });
    // The admin's browser: the consent page, allowed.
    const page = await fetch(authorizeUrl, { redirect: 'manual' });
    const { action, fields } = consentForm(await page.text());
    fields.set('decision', 'allow');
    const allowed = await fetch(new URL(action, authorizeUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
      redirect: 'manual',
    });
    const back = new URL(allowed.headers.get('location') ?? '');
    const finished = await finishConnect(deps, 'mastodon', Object.fromEntries(back.searchParams));
    const steps = [`connect: ${finished.kind} ${'outcome' in finished ? finished.outcome : ''}`];
    return { steps, exchanges: recorder.exchanges };
  } finally {
    await recorder.stop();
    await harness.sandbox.stop();
  }
}
