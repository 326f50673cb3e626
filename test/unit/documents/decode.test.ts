import { describe, expect, it } from 'vitest';
import { decodeDocument } from '../../../lib/documents/decode.js';

const le = (s: string) => {
  const out = new Uint8Array(2 + s.length * 2);
  out.set([0xff, 0xfe]);
  for (let i = 0; i < s.length; i++) {
    out[2 + 2 * i] = s.charCodeAt(i) & 0xff;
    out[3 + 2 * i] = s.charCodeAt(i) >> 8;
  }
  return out;
};
const be = (s: string) => {
  const l = le(s);
  const out = new Uint8Array(l.length);
  for (let i = 0; i < l.length; i += 2) [out[i], out[i + 1]] = [l[i + 1], l[i]];
  return out;
};

describe('decodeDocument', () => {
  it('strips a UTF-8 BOM so offsets start at the first character', () => {
    const r = decodeDocument('a.txt', new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('Héllo')]));
    expect(r).toEqual({ ok: true, text: 'Héllo', encoding: 'utf-8' });
  });

  it('reads UTF-16 LE and BE with a BOM, keeping surrogate pairs (emoji) as two code units', () => {
    const text = 'Hi 😀 Bob';
    expect(decodeDocument('a.txt', le(text))).toMatchObject({ ok: true, text, encoding: 'utf-16le' });
    expect(decodeDocument('a.TXT', be(text))).toMatchObject({ ok: true, text, encoding: 'utf-16be' });
    expect(text.indexOf('Bob')).toBe(6);
  });

  it('rejects undecodable bytes, empty files, too-long texts and non-.txt names with a reason', () => {
    expect(decodeDocument('a.txt', new Uint8Array([0x61, 0xff, 0x62]))).toMatchObject({ ok: false, reason: expect.stringMatching(/undecodable/) });
    expect(decodeDocument('a.txt', new Uint8Array([0xff, 0xfe, 0x00, 0xd8]))).toMatchObject({ ok: false });
    expect(decodeDocument('a.txt', new Uint8Array())).toMatchObject({ ok: false, reason: 'The file is empty.' });
    expect(decodeDocument('a.txt', new Uint8Array([0xef, 0xbb, 0xbf]))).toMatchObject({ ok: false, reason: 'The file is empty.' });
    expect(decodeDocument('a.txt', new TextEncoder().encode('x'.repeat(128_001)))).toMatchObject({ ok: false, reason: expect.stringMatching(/128001.*128000/) });
    expect(decodeDocument('a.txt', new TextEncoder().encode('x'.repeat(128_000)))).toMatchObject({ ok: true });
    expect(decodeDocument('a.pdf', new TextEncoder().encode('x'))).toMatchObject({ ok: false, reason: expect.stringMatching(/\.txt/) });
  });
});
