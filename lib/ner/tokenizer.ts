// Tokenizer for real text with UTF-16 offsets: words, numbers with separators, ticker/currency-like strings,
// punctuation, emoji and other astral characters, any script.

/** Token boundaries as parallel arrays of UTF-16 offsets into the original text (end exclusive). */
export interface Tokens {
  starts: number[];
  ends: number[];
}

// A "word piece": letters/marks/digits (any script), plus connector chars inside when followed by more word chars.
// - joiners inside a token: `-` `/` `.` `'` `’` `_` `&` `@` `:` `,` (`,` `.` `:` only between digits, or `.` in
//   abbreviations like U.S.), so `USD/JPY`, `BTC-USD`, `AB-1234-X`, `1,234.56`, `12:30`, `O'Neil` stay one token.
// - an emoji with its modifiers/ZWJ sequence is one token; any other symbol or punctuation is a token of its own.
const WORD = /[\p{L}\p{M}\p{N}]/u;
const EMOJI_PART = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\u200d\ufe0f\u20e3\u{1F1E6}-\u{1F1FF}\u{E0020}-\u{E007F}]/u;

function codePointAt(text: string, i: number): { cp: number; len: number } {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return { cp: (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000, len: 2 };
  }
  return { cp: c, len: 1 };
}

const isSpace = (cp: number) =>
  cp === 32 || cp === 9 || cp === 10 || cp === 13 || cp === 11 || cp === 12 || cp === 0xa0 || cp === 0x85 ||
  (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f ||
  cp === 0x3000 || cp === 0xfeff || cp === 0x1680;

const asciiWord = (cp: number) => (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
const isDigitCp = (cp: number) => cp >= 48 && cp <= 57;

function isWordCp(cp: number): boolean {
  if (cp < 128) return asciiWord(cp);
  return WORD.test(String.fromCodePoint(cp));
}

function isEmojiCp(cp: number): boolean {
  if (cp < 0xa9) return false;
  return EMOJI_PART.test(String.fromCodePoint(cp));
}

const JOINERS = new Set([0x2d /* - */, 0x2f /* / */, 0x2e /* . */, 0x27 /* ' */, 0x2019 /* ’ */, 0x5f /* _ */,
  0x26 /* & */, 0x40 /* @ */, 0x3a /* : */, 0x2c /* , */]);

/** Splits text into tokens; whitespace separates and is dropped. Offsets always index the original string. */
export function tokenize(text: string): Tokens {
  const starts: number[] = [];
  const ends: number[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const { cp, len } = codePointAt(text, i);
    if (isSpace(cp)) {
      i += len;
      continue;
    }
    const start = i;
    if (isWordCp(cp)) {
      let j = i + len;
      let prevDigit = isDigitCp(cp);
      while (j < n) {
        const a = codePointAt(text, j);
        if (isWordCp(a.cp)) {
          prevDigit = isDigitCp(a.cp);
          j += a.len;
          continue;
        }
        if (JOINERS.has(a.cp) && j + 1 < n) {
          const b = codePointAt(text, j + 1);
          if (!isWordCp(b.cp)) break;
          // `,` and `:` join only digits (1,234 12:30); `.` joins digits or letter abbreviations (U.S, 3.5)
          if (a.cp === 0x2c || a.cp === 0x3a) {
            if (!(prevDigit && isDigitCp(b.cp))) break;
          }
          j += a.len;
          continue;
        }
        break;
      }
      // trailing period of an abbreviation like "U.S." (single letters separated by dots)
      if (j < n && text.charCodeAt(j) === 0x2e && /^(\p{L}\.)+\p{L}$/u.test(text.slice(start, j))) j += 1;
      starts.push(start);
      ends.push(j);
      i = j;
      continue;
    }
    if (isEmojiCp(cp)) {
      let j = i + len;
      while (j < n) {
        const a = codePointAt(text, j);
        if (isEmojiCp(a.cp) && (a.cp === 0x200d || a.cp === 0xfe0f || (a.cp >= 0x1f3fb && a.cp <= 0x1f3ff) ||
          a.cp === 0x20e3 || (a.cp >= 0xe0020 && a.cp <= 0xe007f) || text.charCodeAt(j - 1) === 0x200d ||
          (cp >= 0x1f1e6 && cp <= 0x1f1ff && a.cp >= 0x1f1e6 && a.cp <= 0x1f1ff && j - start < 4))) {
          j += a.len;
          continue;
        }
        break;
      }
      starts.push(start);
      ends.push(j);
      i = j;
      continue;
    }
    // any other single character (punctuation, symbol, astral non-emoji); combining marks stay attached
    let j = i + len;
    while (j < n) {
      const a = codePointAt(text, j);
      if (a.cp >= 0x300 && /\p{M}/u.test(String.fromCodePoint(a.cp))) j += a.len;
      else break;
    }
    starts.push(start);
    ends.push(j);
    i = j;
  }
  return { starts, ends };
}

/**
 * Splits tokens so that every cut point (label boundary) falls on a token boundary. Returns the new tokens and how
 * many tokens had to be split. Cuts never split a surrogate pair (callers validate that spans don't).
 */
export function splitAtBoundaries(tokens: Tokens, cuts: number[]): { tokens: Tokens; splits: number } {
  if (cuts.length === 0) return { tokens, splits: 0 };
  const sorted = [...new Set(cuts)].sort((a, b) => a - b);
  const starts: number[] = [];
  const ends: number[] = [];
  let splits = 0;
  let c = 0;
  for (let t = 0; t < tokens.starts.length; t++) {
    let s = tokens.starts[t];
    const e = tokens.ends[t];
    while (c < sorted.length && sorted[c] <= s) c++;
    let split = false;
    while (c < sorted.length && sorted[c] < e) {
      starts.push(s);
      ends.push(sorted[c]);
      s = sorted[c];
      c++;
      split = true;
    }
    starts.push(s);
    ends.push(e);
    if (split) splits++;
  }
  return { tokens: { starts, ends }, splits };
}
