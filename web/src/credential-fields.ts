/**
 * The credential fields of each network, as the "Set credentials" form asks for them
 * (docs/configuring.md, the credentials table). Secrets are password inputs, never filled in.
 */
import type { Platform } from '../../shared/domain/platform';

export type CredentialField = {
  name: string;
  label: string;
  secret?: boolean;
  optional?: boolean;
  hint?: string;
};

const SANDBOX_BASE: CredentialField = {
  name: 'apiBase',
  label: 'API base (local sandbox only)',
  optional: true,
};

export const CREDENTIAL_FIELDS: Record<Platform, readonly CredentialField[]> = {
  x: [
    { name: 'appKey', label: 'API key', secret: true },
    { name: 'appSecret', label: 'API key secret', secret: true },
    { name: 'accessToken', label: 'Access token', secret: true },
    { name: 'accessSecret', label: 'Access token secret', secret: true },
    SANDBOX_BASE,
  ],
  bluesky: [
    { name: 'service', label: 'Service (PDS)', hint: 'https://bsky.social' },
    { name: 'identifier', label: 'Handle', hint: 'newsroom.bsky.social' },
    { name: 'password', label: 'App password', secret: true },
  ],
  mastodon: [
    { name: 'url', label: 'Instance', hint: 'https://mastodon.social' },
    { name: 'accessToken', label: 'Access token', secret: true },
  ],
  threads: [
    { name: 'accessToken', label: 'Access token', secret: true },
    { name: 'userId', label: 'Threads user id', optional: true },
    SANDBOX_BASE,
  ],
  instagram: [
    { name: 'accessToken', label: 'Access token', secret: true },
    { name: 'userId', label: 'Instagram account id' },
    { name: 'login', label: 'Login (instagram or facebook)', optional: true },
    SANDBOX_BASE,
  ],
  facebook: [
    { name: 'pageId', label: 'Page id' },
    { name: 'pageAccessToken', label: 'Page access token', secret: true },
    SANDBOX_BASE,
  ],
  linkedin: [
    { name: 'accessToken', label: 'Access token', secret: true },
    { name: 'author', label: 'Author', hint: 'urn:li:organization:123' },
    SANDBOX_BASE,
  ],
  telegram: [
    { name: 'botToken', label: 'Bot token', secret: true },
    { name: 'chatId', label: 'Channel', hint: '@newsroom or -100…' },
    { name: 'apiRoot', label: 'API root (local sandbox only)', optional: true },
  ],
};

/** The body of the PUT: each filled field, trimmed; empty optional fields left out. */
export function credentialsBody(
  platform: Platform,
  values: Record<string, string>,
): Record<string, string> {
  const body: Record<string, string> = {};
  for (const field of CREDENTIAL_FIELDS[platform]) {
    const value = (values[field.name] ?? '').trim();
    if (value !== '') body[field.name] = value;
  }
  return body;
}
