// Masking secrets in what a person or a script sees: long secrets everywhere, short ones only as whole words,
// and --json values walked rather than their serialized text.
import { describe, expect, it } from 'vitest';
import { MASK, maskSecrets, maskValue } from '../../../src/core/mask.js';

describe('maskSecrets', () => {
  it('masks a long secret wherever it occurs, the longest first', () => {
    expect(maskSecrets('pw=abcdefgh1234 and xabcdefgh1234x', ['abcdefgh1234'])).toBe(`pw=${MASK} and x${MASK}x`);
    expect(maskSecrets('abcdefgh1234-extra', ['abcdefgh1234', 'abcdefgh1234-extra'])).toBe(MASK);
  });
  it('masks a short secret only as a whole token: "y" leaves "only 1 characters" readable', () => {
    expect(maskSecrets('only 1 characters; password y given', ['y'])).toBe(`only 1 characters; password ${MASK} given`);
    expect(maskSecrets('AUTH y', ['y'])).toBe(`AUTH ${MASK}`);
    expect(maskSecrets('a.b+c', ['a.b'])).toBe('a.b+c'.replace('a.b', MASK)); // regex characters are literal
  });
});

describe('maskValue', () => {
  it('walks strings in objects and arrays, keys included, and leaves other values alone', () => {
    const secret = 'pa"ss\\word-long';
    const v = { detail: `AUTH ${secret}`, steps: [{ msg: secret, n: 3 }], [secret]: true, ok: null };
    const out = maskValue(v, [secret]);
    expect(JSON.stringify(out)).not.toContain('word-long');
    expect(out).toEqual({ detail: `AUTH ${MASK}`, steps: [{ msg: MASK, n: 3 }], [MASK]: true, ok: null });
    // the serialized text would not have matched: JSON escapes the quote and the backslash
    expect(maskSecrets(JSON.stringify(v), [secret])).toContain('word-long');
  });
});
