/** The editor UI's entry point: the runtime config, a returning sign-in, then the app. */
import { html, render } from 'htm/preact';
import { finishCognitoSignIn, loadRuntimeConfig, takeTokenFromFragment } from './auth';
import { setSandboxPosts } from './sandbox-links';
import { App } from './ui/app';

async function start(root: HTMLElement): Promise<void> {
  const config = await loadRuntimeConfig();
  setSandboxPosts(config.sandboxPosts);
  let notice: string | undefined;
  if (config.auth.mode === 'token') {
    takeTokenFromFragment();
  } else {
    try {
      await finishCognitoSignIn(config.auth);
    } catch (error) {
      notice = error instanceof Error ? error.message : String(error);
    }
  }
  // The "Loading" placeholder goes; Preact would otherwise render beside it.
  root.replaceChildren();
  render(html`<${App} config=${config} notice=${notice} />`, root);
}

const root = document.getElementById('app');
if (root) {
  start(root).catch((error: unknown) => {
    root.textContent = `The editor could not start: ${error instanceof Error ? error.message : String(error)}`;
  });
}
