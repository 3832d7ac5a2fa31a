/**
 * Where the UI opens a published post. In AWS, the post's page on its network
 * (`remoteUrl`). The local runtime's config names its sandboxes' post pages
 * (`sandboxPosts`): there every post the UI links to opens the sandbox's page for it,
 * which shows the post the sandbox accepted, or says that it holds no such post (a
 * channel given real credentials posts to the network itself) with the network's link.
 */
let sandboxPosts: string | undefined;

/** Set once from the runtime config at start. */
export function setSandboxPosts(path: string | undefined): void {
  sandboxPosts = path;
}

export const postsGoToSandbox = (): boolean => sandboxPosts !== undefined;

/** The address of a published post for the editor, or undefined before it is published. */
export function postLink(share: {
  platform: string;
  remoteId?: string | null;
  remoteUrl?: string | null;
}): string | undefined {
  if (sandboxPosts !== undefined && share.remoteId) {
    const page = `${sandboxPosts}/${encodeURIComponent(share.platform)}/${encodeURIComponent(share.remoteId)}`;
    return share.remoteUrl ? `${page}?remote=${encodeURIComponent(share.remoteUrl)}` : page;
  }
  return share.remoteUrl ?? undefined;
}
