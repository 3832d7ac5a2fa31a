import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../../shared/domain/platform';
import { composeBluesky } from '../../../shared/platforms/bluesky/composer';
import { composerFor, SUPPORTED_PLATFORMS } from '../../../shared/platforms/composers';
import { composeMastodon } from '../../../shared/platforms/mastodon/composer';
import { composeX } from '../../../shared/platforms/x/composer';

describe('composer registry', () => {
  it('supports X, Bluesky and Mastodon', () => {
    expect(SUPPORTED_PLATFORMS).toEqual(['x', 'bluesky', 'mastodon']);
    expect(composerFor('x')).toBe(composeX);
    expect(composerFor('bluesky')).toBe(composeBluesky);
    expect(composerFor('mastodon')).toBe(composeMastodon);
  });

  it('has no composer for the other networks yet', () => {
    for (const platform of PLATFORMS.filter((p) => !SUPPORTED_PLATFORMS.includes(p))) {
      expect(composerFor(platform)).toBeUndefined();
    }
    expect(composerFor('threads')).toBeUndefined();
  });
});
