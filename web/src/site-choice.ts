/**
 * Which site the editor works on: the one they chose last (kept in this browser, see
 * ui/site-switcher.ts), while it is still one of theirs; their only site when they have one;
 * otherwise every site they may see ("All sites", undefined).
 */
export function chooseSite(
  stored: string | null | undefined,
  siteIds: readonly string[],
): string | undefined {
  if (siteIds.length === 1) return siteIds[0];
  if (stored && siteIds.includes(stored)) return stored;
  return undefined;
}
