/**
 * Characters that change how text looks without being seen: zero-width characters, text-direction controls
 * (U+202E makes "enaJ" read "Jane"), soft hyphens, BOMs, and control characters other than tab and line feed.
 * A name made by hand on a node can hold any of them.
 */
const INVISIBLE_CHARS = '\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb';
const UNPRINTABLE = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${INVISIBLE_CHARS}]`, 'g');

/** The first invisible or text-direction character of `text` (C1 controls included), or undefined. */
export function firstInvisible(text: string): string | undefined {
  const found = new RegExp(`[\\u0080-\\u009f${INVISIBLE_CHARS}]`).exec(text);
  return found?.[0];
}

/** `U+202E` for a character. */
export function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Text safe to print: every invisible, text-direction or control character (tab and line feed excepted) written as a
 * `\u202e` escape, so what a terminal or log shows is what the text holds. JSON text stays valid JSON with the same
 * meaning: these characters occur only inside its strings, where the escape means the character.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
