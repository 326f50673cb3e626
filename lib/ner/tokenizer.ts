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

// ASCII character classes, so the common case costs one table read per character (no code point objects, no regex)
const A_WORD = 1, A_DIGIT = 2, A_SPACE = 4, A_JOINER = 8;
const ASCII_CLASS = Uint8Array.from({ length: 128 }, (_, c) =>
  (asciiWord(c) ? A_WORD : 0) | (isDigitCp(c) ? A_DIGIT : 0) | (isSpace(c) ? A_SPACE : 0) |
  ('-/.\'_&@:,'.includes(String.fromCharCode(c)) ? A_JOINER : 0));

const JOINERS = new Set([0x2d /* - */, 0x2f /* / */, 0x2e /* . */, 0x27 /* ' */, 0x2019 /* ’ */, 0x5f /* _ */,
  0x26 /* & */, 0x40 /* @ */, 0x3a /* : */, 0x2c /* , */]);

const URL_AT = /(?:https?:\/\/|www\.)[^\s]+/iy;
const TRAILING_URL_PUNCT = new Set([0x2e, 0x2c, 0x3b, 0x3a, 0x21, 0x3f, 0x29, 0x22, 0x27, 0x2026]);
/** Abbreviations whose period belongs to them (a closed list: a period after any other word ends a sentence). */
const ABBREVIATIONS = new Set(['Mr', 'Mrs', 'Ms', 'Dr', 'Prof', 'St', 'Jr', 'Sr', 'Rep', 'Sen', 'Gov', 'Gen', 'Col', 'Lt',
  'Sgt', 'Capt', 'Rev', 'Hon', 'Pres', 'Inc', 'Ltd', 'Co', 'Corp', 'Bros', 'Mt', 'Ft', 'vs', 'etc', 'No', 'Nos',
  'Vol', 'Fig', 'approx', 'Dept', 'Univ', 'Ave', 'Blvd', 'Jan', 'Feb', 'Mar', 'Apr', 'Jun', 'Jul', 'Aug', 'Sep',
  'Sept', 'Oct', 'Nov', 'Dec', 'e.g', 'i.e', 'Ph.D']);

const isLetterCp = (cp: number) => (cp < 128 ? (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) : /\p{L}/u.test(String.fromCodePoint(cp)));

/** True when the character before i is part of a word (so i is inside a token, not at its start). */
function isWordBefore(text: string, i: number): boolean {
  if (i === 0) return false;
  const c = text.charCodeAt(i - 1);
  const cp = c >= 0xdc00 && c <= 0xdfff && i >= 2 ? codePointAt(text, i - 2).cp : c;
  return isWordCp(cp);
}

/** Length of an English clitic ('s 're 've 'll 'd 'm without the apostrophe) starting at i, else 0. */
function cliticAt(text: string, i: number): number {
  for (const c of ['s', 're', 've', 'll', 'd', 'm']) {
    if (text.slice(i, i + c.length).toLowerCase() !== c) continue;
    const after = i + c.length;
    if (after >= text.length || !isWordCp(codePointAt(text, after).cp)) return c.length;
  }
  return 0;
}

/** Splits text into tokens; whitespace separates and is dropped. Offsets always index the original string. */
export function tokenize(text: string): Tokens {
  const starts: number[] = [];
  const ends: number[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c0 = text.charCodeAt(i);
    if (c0 < 128 && ASCII_CLASS[c0] & A_SPACE) {
      i++;
      continue;
    }
    const { cp, len } = codePointAt(text, i);
    if (isSpace(cp)) {
      i += len;
      continue;
    }
    const start = i;
    // a URL runs to the next whitespace (minus trailing punctuation); @mentions and #hashtags are one token
    let url: RegExpExecArray | null = null;
    if (cp === 0x68 || cp === 0x48 || cp === 0x77 || cp === 0x57) {
      URL_AT.lastIndex = i;
      url = URL_AT.exec(text);
    }
    if (url) {
      let j = i + url[0].length;
      while (j > i + 8 && TRAILING_URL_PUNCT.has(text.charCodeAt(j - 1))) j--;
      starts.push(start);
      ends.push(j);
      i = j;
      continue;
    }
    let wordStart = -1;
    if ((cp === 0x40 || cp === 0x23) && i + 1 < n && isWordCp(codePointAt(text, i + 1).cp) && !isWordBefore(text, i)) wordStart = i + 1;
    // a clitic ('s 're 've 'll 'd 'm) or a hyphen fragment (-leaning) that starts a token stays with its letters
    else if ((cp === 0x27 || cp === 0x2019) && cliticAt(text, i + 1) > 0) wordStart = i + 1;
    else if (cp === 0x2d && i + 1 < n && isLetterCp(codePointAt(text, i + 1).cp) && !isWordBefore(text, i) && (i === 0 || isSpace(text.charCodeAt(i - 1)))) wordStart = i + 1;
    if (wordStart >= 0 || isWordCp(cp)) {
      const first = wordStart >= 0 ? codePointAt(text, wordStart) : { cp, len };
      let j = (wordStart >= 0 ? wordStart : i) + first.len;
      let prevDigit = isDigitCp(first.cp);
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c < 128) {
          const k = ASCII_CLASS[c];
          if (k & A_WORD) {
            prevDigit = (k & A_DIGIT) !== 0;
            j++;
            continue;
          }
          if (!(k & A_JOINER)) break;
        }
        const a = codePointAt(text, j);
        if (isWordCp(a.cp)) {
          prevDigit = isDigitCp(a.cp);
          j += a.len;
          continue;
        }
        if (JOINERS.has(a.cp) && j + 1 < n) {
          const b = codePointAt(text, j + 1);
          if (!isWordCp(b.cp)) {
            // a word fragment ending in a hyphen before a space ("post- war") keeps its hyphen
            if (a.cp === 0x2d && isSpace(b.cp)) j += 1;
            break;
          }
          // a possessive or clitic ending splits off: Labour's → Labour 's (O'Neil stays whole)
          if ((a.cp === 0x27 || a.cp === 0x2019) && cliticAt(text, j + 1) > 0) break;
          // `,` and `:` join only digits (1,234 12:30); `.` joins digits or letter abbreviations (U.S, 3.5)
          if (a.cp === 0x2c || a.cp === 0x3a) {
            if (!(prevDigit && isDigitCp(b.cp))) break;
          }
          j += a.len;
          continue;
        }
        break;
      }
      // the period of an abbreviation: letters separated by dots (U.S.), an initial (J.), a common title (Dr.)
      if (j < n && text.charCodeAt(j) === 0x2e) {
        const w = text.slice(start, j);
        if (/^(\p{L}\.)+\p{L}$/u.test(w) || /^\p{Lu}$/u.test(w) || ABBREVIATIONS.has(w)) j += 1;
      }
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
