import { describe, expect, it } from 'vitest';
import { splitAtBoundaries, tokenize } from '../../../lib/ner/tokenizer.js';

const words = (text: string) => {
  const t = tokenize(text);
  return t.starts.map((s, i) => text.slice(s, t.ends[i]));
};

describe('tokenize', () => {
  it('keeps currency pairs, tickers, codes and numbers with separators whole', () => {
    expect(words('Sold USD/JPY and BTC-USD at 1,234.56 on AB-1234-X.')).toEqual([
      'Sold', 'USD/JPY', 'and', 'BTC-USD', 'at', '1,234.56', 'on', 'AB-1234-X', '.',
    ]);
  });

  it('splits punctuation but keeps abbreviations and times', () => {
    expect(words('The U.S. (at 12:30) said "no", didn\'t it?')).toEqual([
      'The', 'U.S.', '(', 'at', '12:30', ')', 'said', '"', 'no', '"', ',', "didn't", 'it', '?',
    ]);
  });

  it('splits possessives and clitics off words but keeps names like O\'Neil whole', () => {
    expect(words("Labour's leader O'Neil said we're ready; the party 's view")).toEqual([
      'Labour', "'s", 'leader', "O'Neil", 'said', 'we', "'re", 'ready', ';', 'the', 'party', "'s", 'view',
    ]);
  });

  it('keeps initials and common title abbreviations with their period, but not a sentence-final one', () => {
    expect(words('J. R. Smith met Dr. Jones at St. Mary in India.')).toEqual([
      'J.', 'R.', 'Smith', 'met', 'Dr.', 'Jones', 'at', 'St.', 'Mary', 'in', 'India', '.',
    ]);
  });

  it('keeps URLs, @mentions, #hashtags and hyphen fragments as single tokens', () => {
    expect(words('see https://t.co/AbC?x=1, @some_user #NLProc post- and -leaning')).toEqual([
      'see', 'https://t.co/AbC?x=1', ',', '@some_user', '#NLProc', 'post-', 'and', '-leaning',
    ]);
    expect(words('a - b, e-mail a@b.com')).toEqual(['a', '-', 'b', ',', 'e-mail', 'a@b.com']);
  });

  it('gives UTF-16 offsets that slice the original text, with astral characters and emoji', () => {
    const text = 'Hi 👋🏽 𝒜lpha 😀😀 family: 👨‍👩‍👧 end';
    const t = tokenize(text);
    const got = t.starts.map((s, i) => text.slice(s, t.ends[i]));
    expect(got).toEqual(['Hi', '👋🏽', '𝒜lpha', '😀', '😀', 'family', ':', '👨‍👩‍👧', 'end']);
    // offsets are code units: the first emoji starts at 3 and is 4 code units long (2 surrogate pairs)
    expect(t.starts[1]).toBe(3);
    expect(t.ends[1]).toBe(7);
  });

  it('treats CRLF and other whitespace as separators and never includes them in tokens', () => {
    const text = 'one\r\ntwo\u00a0three\tfour\u3000five';
    const t = tokenize(text);
    expect(words(text)).toEqual(['one', 'two', 'three', 'four', 'five']);
    for (let i = 0; i < t.starts.length; i++) expect(/\s/.test(text.slice(t.starts[i], t.ends[i]))).toBe(false);
  });

  it('handles mixed scripts: Cyrillic, Arabic, CJK, Devanagari with combining marks', () => {
    expect(words('Москва и دبي، 東京 हिन्दी')).toEqual(['Москва', 'и', 'دبي', '،', '東京', 'हिन्दी']);
  });

  it('returns nothing for empty or blank text', () => {
    expect(tokenize('').starts).toEqual([]);
    expect(tokenize(' \n\t ').starts).toEqual([]);
  });
});

describe('splitAtBoundaries', () => {
  it('splits tokens where a label boundary falls inside them and counts the splits', () => {
    const text = 'priceUSD/JPY rose';
    const { tokens, splits } = splitAtBoundaries(tokenize(text), [5, 12]);
    expect(tokens.starts.map((s, i) => text.slice(s, tokens.ends[i]))).toEqual(['price', 'USD/JPY', 'rose']);
    expect(splits).toBe(1);
  });

  it('leaves tokens alone when boundaries already fall between them', () => {
    const text = 'a USD/JPY b';
    const { tokens, splits } = splitAtBoundaries(tokenize(text), [2, 9]);
    expect(tokens.starts.length).toBe(3);
    expect(splits).toBe(0);
  });
});
