/**
 * The "Set credentials" form asks for each network's fields as the server reads them:
 * every field it shows is one the network's credentials schema knows, every field the
 * schema requires is asked for, and secrets are password inputs.
 */
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { PLATFORMS, type Platform } from '../../../shared/domain/platform';
import { blueskyCredentialsSchema } from '../../../shared/platforms/bluesky/credentials';
import { facebookCredentialsSchema } from '../../../shared/platforms/facebook/credentials';
import { instagramCredentialsSchema } from '../../../shared/platforms/instagram/credentials';
import { linkedinCredentialsSchema } from '../../../shared/platforms/linkedin/credentials';
import { mastodonCredentialsSchema } from '../../../shared/platforms/mastodon/credentials';
import { telegramCredentialsSchema } from '../../../shared/platforms/telegram/credentials';
import { threadsCredentialsSchema } from '../../../shared/platforms/threads/credentials';
import { xCredentialsSchema } from '../../../shared/platforms/x/credentials';
import { CREDENTIAL_FIELDS, credentialsBody } from '../../../web/src/credential-fields';

const SCHEMAS: Record<Platform, z.ZodObject> = {
  x: xCredentialsSchema,
  bluesky: blueskyCredentialsSchema,
  mastodon: mastodonCredentialsSchema,
  threads: threadsCredentialsSchema,
  instagram: instagramCredentialsSchema,
  facebook: facebookCredentialsSchema,
  linkedin: linkedinCredentialsSchema,
  telegram: telegramCredentialsSchema,
};

describe('the credential fields of the form', () => {
  it.each(PLATFORMS)('%s: asks for every required field and only known ones', (platform) => {
    const shape = SCHEMAS[platform].shape;
    const asked = CREDENTIAL_FIELDS[platform];
    for (const field of asked) expect(Object.keys(shape), field.name).toContain(field.name);
    for (const [name, schema] of Object.entries(shape)) {
      const required = !(schema as z.ZodType).safeParse(undefined).success;
      if (required) {
        const field = asked.find((f) => f.name === name);
        expect(field, name).toBeDefined();
        expect(field?.optional, name).toBeFalsy();
      }
    }
  });

  it('marks every token, password and secret as a secret input', () => {
    for (const platform of PLATFORMS) {
      for (const field of CREDENTIAL_FIELDS[platform]) {
        if (/token|password|secret|key$/i.test(field.name))
          expect(field.secret, field.name).toBe(true);
      }
    }
  });

  it('sends the filled fields trimmed, and leaves empty ones out', () => {
    expect(
      credentialsBody('bluesky', {
        service: ' https://bsky.social ',
        identifier: 'newsroom.bsky.social',
        password: '',
        other: 'ignored',
      }),
    ).toEqual({ service: 'https://bsky.social', identifier: 'newsroom.bsky.social' });
  });
});
