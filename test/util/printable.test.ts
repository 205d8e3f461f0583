import { codePoint, firstInvisible, printable } from '../../src/util/printable';

describe('printable', () => {
  it('escapes text-direction, zero-width and control characters, keeping tab and line feed', () => {
    expect(printable('\u202eenaJ\u200b eoD\r\tok\n')).toBe('\\u202eenaJ\\u200b eoD\\u000d\tok\n');
    expect(printable('Zoë Ångström — 👩‍⚕️ Café')).toBe('Zoë Ångström — 👩\\u200d⚕️ Café');
  });

  it('keeps JSON valid and meaning the same', () => {
    const value = { name: '\u202eenaJ\u0085\u2066x\u2069' };
    const text = printable(JSON.stringify(value));
    expect(text).not.toMatch(/[\u0085\u202e\u2066\u2069]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('finds the first invisible character, C1 controls included, and names its code point', () => {
    expect(firstInvisible('plain name')).toBeUndefined();
    expect(codePoint(firstInvisible('a\u00adb\u202e')!)).toBe('U+00AD');
    expect(codePoint(firstInvisible('x\u0085')!)).toBe('U+0085');
  });
});
