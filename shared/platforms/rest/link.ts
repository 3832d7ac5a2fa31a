/** The same link, however the network wrote it (case of the host, an added `/`, escapes). */
export function sameLink(a: string, b: string): boolean {
  const normalize = (value: string) => (URL.canParse(value) ? new URL(value).href : value);
  return normalize(a) === normalize(b);
}
