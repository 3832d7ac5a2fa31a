/** A routing table: the first route whose method and path match a request handles it. */

export type Route<H> = {
  method: string;
  /** an exact path, or a pattern whose groups become the route's parameters */
  path: string | RegExp;
  handle: H;
};

export type Matched<H> = { handle: H; params: string[] };

export function findRoute<H>(
  routes: readonly Route<H>[],
  method: string,
  path: string,
): Matched<H> | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    if (typeof route.path === 'string') {
      if (route.path === path) return { handle: route.handle, params: [] };
      continue;
    }
    const match = route.path.exec(path);
    if (match) return { handle: route.handle, params: match.slice(1).map((p) => p ?? '') };
  }
  return undefined;
}
