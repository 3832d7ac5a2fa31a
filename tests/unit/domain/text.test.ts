import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Length } from '../../../shared/domain/text';

describe('utf8Length', () => {
  it('counts bytes as Buffer.byteLength does, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(utf8Length(a)).toBe(Buffer.byteLength(a, 'utf8'));
        expect(utf8Length(b)).toBe(Buffer.byteLength(b, 'utf8'));
      }),
    );
    for (const text of [
      '',
      'a',
      'é',
      '€',
      '😀',
      '\ud800',
      '\udc00x',
      '\ud83d\ud83d\ude00',
      '👩🏽‍💻🇧🇴',
    ]) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});
