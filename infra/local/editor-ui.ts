/**
 * The editor UI on the local API's own origin: `/` and `/assets/*`, built with esbuild
 * on the first request and kept in memory, and `/config.json` telling the UI to ask for
 * the editor token. Same origin as `/api`, as CloudFront serves it in AWS.
 */
import { CACHE_CONTROL, contentSecurityPolicy } from '../../web/hosting';
import { LOCAL_RUNTIME_CONFIG } from '../../web/src/runtime-config';
import type { HttpGateway, LocalResponse } from './http-gateway';
import type { Logger } from './logger';

type UiFile = { path: string; contentType: string; body: Uint8Array };

/**
 * As in AWS: the previews load stored images through the API, never from the local media
 * bucket on loopback, so the page may not load images from there.
 */
export const LOCAL_CONTENT_SECURITY_POLICY = contentSecurityPolicy();

const SECURITY_HEADERS = {
  'content-security-policy': LOCAL_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

export function serveEditorUi(gateway: HttpGateway, log: Logger): void {
  let built: Promise<Map<string, UiFile>> | undefined;
  const files = (): Promise<Map<string, UiFile>> => {
    built ??= (async () => {
      // Loaded here, not at start: esbuild is only needed once someone opens the UI.
      const { bundleEditorUi } = await import('../../web/build');
      const started = Date.now();
      const bundle = await bundleEditorUi();
      log.debug('editor-ui.built', { files: bundle.length, ms: Date.now() - started });
      return new Map(bundle.map((file) => [file.path, file]));
    })();
    // A failed build is tried again on the next request, after the code is fixed.
    built.catch(() => {
      built = undefined;
    });
    return built;
  };

  const serve = async (path: string, cacheControl: string): Promise<LocalResponse> => {
    let file: UiFile | undefined;
    try {
      file = (await files()).get(path);
    } catch (error) {
      log.error('editor-ui.build-failed', { error });
      return {
        status: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'The editor UI could not be built: the log says why.',
      };
    }
    if (!file) {
      return {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'Not found',
      };
    }
    return {
      status: 200,
      headers: {
        ...SECURITY_HEADERS,
        'content-type': file.contentType,
        'cache-control': cacheControl,
      },
      body: file.body,
    };
  };

  const page = () => serve('/index.html', CACHE_CONTROL.page);
  gateway.addRoute('GET', '/', page);
  gateway.addRoute('GET', '/index.html', page);
  gateway.addRoute('GET', '/assets/{file}', (request) =>
    serve(`/assets/${request.pathParameters.file ?? ''}`, CACHE_CONTROL.asset),
  );
  gateway.addRoute('GET', '/config.json', async () => ({
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': CACHE_CONTROL.page },
    body: JSON.stringify(LOCAL_RUNTIME_CONFIG),
  }));
}

/** The address that opens the UI signed in: the token rides in the fragment, never sent to a server. */
export function editorUiUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/#token=${encodeURIComponent(token)}`;
}
