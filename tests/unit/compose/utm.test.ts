import { describe, expect, it } from 'vitest';
import { slugify, type UtmVariables, withUtm } from '../../../shared/platforms/compose/utm';

const variables: UtmVariables = {
  platform: 'x',
  channel: 'x-newsroom',
  section: 'latin-america',
  sourceId: 'lv-42',
};
const utm = { source: '{platform}', medium: 'social', campaign: 'crier' };

describe('withUtm', () => {
  it('appends the parameters to a URL without a query string', () => {
    expect(withUtm('https://example.org/a', utm, variables)).toBe(
      'https://example.org/a?utm_source=x&utm_medium=social&utm_campaign=crier',
    );
  });

  it('keeps the existing query byte for byte and puts the parameters before the fragment', () => {
    expect(withUtm('https://example.org/a?id=7&x=%20y#comments', utm, variables)).toBe(
      'https://example.org/a?id=7&x=%20y&utm_source=x&utm_medium=social&utm_campaign=crier#comments',
    );
  });

  it('does not re-encode or reorder other parameters', () => {
    expect(withUtm('https://example.org/a?b=%7E&a=1+2&flag&q=caf%C3%A9', utm, variables)).toBe(
      'https://example.org/a?b=%7E&a=1+2&flag&q=caf%C3%A9&utm_source=x&utm_medium=social&utm_campaign=crier',
    );
  });

  it('replaces a utm parameter the channel sets and keeps one it does not set', () => {
    expect(
      withUtm('https://example.org/a?utm_source=newsletter&id=7&utm_term=kept', utm, variables),
    ).toBe(
      'https://example.org/a?id=7&utm_term=kept&utm_source=x&utm_medium=social&utm_campaign=crier',
    );
  });

  it('fills {platform}, {channel}, {section} and {sourceId} and encodes the values', () => {
    expect(
      withUtm(
        'https://example.org/a',
        {
          source: '{platform}',
          medium: 'social media',
          campaign: '{section}',
          term: '{sourceId}',
          content: '{channel}',
        },
        variables,
      ),
    ).toBe(
      'https://example.org/a?utm_source=x&utm_medium=social%20media&utm_campaign=latin-america&utm_term=lv-42&utm_content=x-newsroom',
    );
  });

  it('leaves out a parameter whose value renders empty', () => {
    expect(
      withUtm(
        'https://example.org/a',
        { ...utm, campaign: '{section}' },
        { ...variables, section: '' },
      ),
    ).toBe('https://example.org/a?utm_source=x&utm_medium=social');
  });

  it('returns the article URL unchanged when the channel has no UTM', () => {
    expect(withUtm('https://example.org/a?id=7#c', undefined, variables)).toBe(
      'https://example.org/a?id=7#c',
    );
  });

  it('does not double the "&" after a query that ends with one', () => {
    expect(withUtm('https://example.org/a?id=7&', utm, variables)).toBe(
      'https://example.org/a?id=7&utm_source=x&utm_medium=social&utm_campaign=crier',
    );
  });

  it('percent-encodes a space that would end the link early', () => {
    expect(withUtm('https://example.org/a b', undefined, variables)).toBe(
      'https://example.org/a%20b',
    );
  });
});

describe('slugify', () => {
  it('makes a lowercase, dashed slug without Latin accents', () => {
    expect(slugify('Latin America')).toBe('latin-america');
    expect(slugify('  São Paulo & Rio ')).toBe('sao-paulo-rio');
    expect(slugify('Новости Москвы')).toBe('новости-москвы');
    expect(slugify('')).toBe('');
  });

  it('leaves out the variation selectors of emoji', () => {
    expect(slugify('🏳️‍🌈 Pride')).toBe('pride');
    expect(slugify('❤️')).toBe('');
    expect(slugify('हिन्दी समाचार')).toBe('हिन्दी-समाचार');
  });
});
