/** The editor UI's shell: sign-in, the header with the views, and the view the address names. */
import { html } from 'htm/preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, createApi } from '../api';
import {
  cognitoSignOut,
  forgetToken,
  type RuntimeConfig,
  startCognitoSignIn,
  storedToken,
  storeToken,
  takeTokenFromFragment,
} from '../auth';
import { parseRoute, type Route, routeHref } from '../router';
import { AdminLinks, AdminPage, isAdminRoute } from './admin';
import { ArticleView } from './article-view';
import { BestTimesView } from './best-times-view';
import { CalendarView } from './calendar-view';
import { ChannelFormView } from './channel-form-view';
import { ChannelsView } from './channels-view';
import { AppContext, type AppContextValue, ErrorNotice, inputValue } from './common';
import { ConnectChoiceView } from './connect-choice-view';
import { EngagementView } from './engagement-view';
import { useAsync } from './hooks';
import { NewPostView } from './new-post-view';
import { QueueView } from './queue-view';
import { SiteSwitcher, useSiteChoice } from './site-switcher';

function SignIn({
  config,
  reason,
  onToken,
}: {
  config: RuntimeConfig;
  reason?: string;
  onToken: (token: string) => Promise<void>;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const auth = config.auth;
  return html`<main id="main" class="sign-in">
    <h1>Crier</h1>
    ${reason && html`<p class="notice notice-warning" role="alert">${reason}</p>`}
    ${
      auth.mode === 'cognito'
        ? html`<p>Sign in with your newsroom's Crier account.</p>
            <button type="button" class="primary" onClick=${() => startCognitoSignIn(auth)}>Sign in</button>`
        : html`<form
            onSubmit=${async (event: Event) => {
              event.preventDefault();
              setBusy(true);
              setError(undefined);
              try {
                await onToken(token.trim());
              } catch (caught) {
                setError(caught);
              } finally {
                setBusy(false);
              }
            }}
          >
            <p>
              Paste the editor token that <code>npm start</code> printed (or open the link it
              printed, which signs you in).
            </p>
            <label for="token">Editor token</label>
            <input
              id="token"
              type="password"
              autocomplete="off"
              spellcheck="false"
              required
              value=${token}
              onInput=${(e: Event) => setToken(inputValue(e))}
            />
            <button type="submit" class="primary" disabled=${busy}>Sign in</button>
            ${error !== undefined && html`<${ErrorNotice} error=${error} />`}
          </form>`
    }
  </main>`;
}

/**
 * The view the address names. Locally, a `#token=` link opened in this tab signs in
 * first; in AWS only Cognito's sign-in does (a link must not sign anyone in as another).
 */
function useRoute(onToken?: () => void): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => {
      if (onToken && takeTokenFromFragment()) onToken();
      setRoute(parseRoute(location.hash));
    };
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App({ config, notice }: { config: RuntimeConfig; notice?: string }) {
  const [token, setToken] = useState(storedToken());
  const [reason, setReason] = useState(notice);
  const route = useRoute(
    config.auth.mode === 'token'
      ? () => {
          setReason(undefined);
          setToken(storedToken());
        }
      : undefined,
  );
  const main = useRef<HTMLElement>(null);

  const api = useMemo(
    () =>
      createApi({
        token: storedToken,
        onUnauthorized: () => {
          forgetToken();
          setToken(undefined);
          setReason('Your sign-in has expired or the token was refused. Sign in again.');
        },
      }),
    [],
  );
  const channels = useAsync(() => (token ? api.listChannels() : Promise.resolve([])), [token]);
  // Who signed in: an admin is offered the admin pages and the channel forms.
  const me = useAsync(() => (token ? api.me() : Promise.resolve(undefined)), [token]);
  const sites = useAsync(() => (token ? api.listSites() : Promise.resolve([])), [token]);
  const [siteId, chooseSite] = useSiteChoice(sites.data);

  // A new view: its heading takes the focus, so a screen reader announces where we are.
  const viewKey =
    route.view === 'article'
      ? `article/${route.articleId}`
      : route.view === 'channel'
        ? `channel/${route.channelId ?? ''}`
        : route.view === 'connect-choice'
          ? `connect/${route.choiceId}`
          : route.view === 'best-times'
            ? `best-times/${route.channelId}`
            : route.view;
  const firstView = useRef(true);
  useEffect(() => {
    if (firstView.current) {
      firstView.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [viewKey]);

  if (!token) {
    return html`<${SignIn}
      config=${config}
      reason=${reason}
      onToken=${async (candidate: string) => {
        // Tried before it is kept: a wrong token is refused here, with nothing stored.
        const trial = createApi({ token: () => candidate, onUnauthorized: () => {} });
        try {
          await trial.listArticles({ limit: 1 });
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) {
            throw new Error('That token was not accepted. Check it and try again.');
          }
          throw error;
        }
        storeToken(candidate);
        setReason(undefined);
        setToken(candidate);
      }}
    />`;
  }

  const context: AppContextValue = {
    api,
    channels: (channels.data ?? []).filter((c) => !siteId || c.siteId === siteId),
    siteId,
    sites: sites.data ?? [],
    chooseSite,
    isAdmin: me.data?.role === 'admin',
    reloadChannels: channels.reload,
    reloadSites: sites.reload,
  };
  const signOut = () => {
    if (config.auth.mode === 'cognito') {
      cognitoSignOut(config.auth);
      return;
    }
    forgetToken();
    setReason(undefined);
    setToken(undefined);
  };
  const current = (view: Route['view']) => (route.view === view ? 'page' : undefined);

  return html`<${AppContext.Provider} value=${context}>
    <a
      class="skip-link"
      href="#main"
      onClick=${(e: Event) => {
        e.preventDefault();
        main.current?.querySelector<HTMLElement>('h1')?.focus();
      }}
      >Skip to the content</a
    >
    <header class="topbar">
      <a class="brand" href=${routeHref('/queue')}>Crier <span>editor</span></a>
      <nav aria-label="Views">
        <a href=${routeHref('/queue')} aria-current=${current('queue')}>Queue</a>
        <a href=${routeHref('/calendar')} aria-current=${current('calendar')}>Calendar</a>
        <a href=${routeHref('/posts/new')} aria-current=${current('new-post')}>New post</a>
        <a href=${routeHref('/engagement')} aria-current=${current('engagement')}>Engagement</a>
        <a href=${routeHref('/channels')} aria-current=${route.view === 'channels' || route.view === 'channel' || route.view === 'connect-choice' || route.view === 'best-times' ? 'page' : undefined}>Channels</a>
        <${AdminLinks} me=${me.data} view=${route.view} />
      </nav>
      <${SiteSwitcher} sites=${sites.data ?? []} siteId=${siteId} onChoose=${chooseSite} />
      <button type="button" class="quiet" onClick=${signOut}>Sign out</button>
    </header>
    <main id="main" ref=${main}>
      ${
        // The views name channels and place shares by them, and show the chosen site's:
        // they wait for the channels, the sites and the editor's role.
        [channels, sites, me].some((a) => a.data === undefined && a.error === undefined)
          ? html`<p>Loading…</p>`
          : html`
              ${route.view === 'queue' && html`<${QueueView} params=${route.params} />`}
              ${route.view === 'calendar' && html`<${CalendarView} params=${route.params} />`}
              ${route.view === 'article' && html`<${ArticleView} articleId=${route.articleId} />`}
              ${route.view === 'new-post' && html`<${NewPostView} />`}
              ${route.view === 'engagement' && html`<${EngagementView} key=${route.params.toString()} params=${route.params} />`}
              ${route.view === 'channels' && html`<${ChannelsView} />`}
              ${route.view === 'channel' && html`<${ChannelFormView} key=${route.channelId ?? ''} channelId=${route.channelId} />`}
              ${route.view === 'connect-choice' && html`<${ConnectChoiceView} key=${route.choiceId} channelId=${route.channelId} choiceId=${route.choiceId} />`}
              ${route.view === 'best-times' && html`<${BestTimesView} key=${route.channelId} channelId=${route.channelId} />`}
              ${isAdminRoute(route) && html`<${AdminPage} route=${route} me=${me} />`}
            `
      }
    </main>
  <//>`;
}
