// Turns a blob's bytes into document text, or a reason why it cannot become a document.
import { MAX_DOCUMENT_CHARS } from './schemas.js';

export type DecodeResult = { ok: true; text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' } | { ok: false; reason: string };

/** Only `.txt` blobs are documents (case-insensitive). */
export const isTextName = (name: string): boolean => /\.txt$/i.test(name);

/**
 * Decodes UTF-8 (BOM stripped) or UTF-16 LE/BE (BOM required), rejecting undecodable bytes, empty texts and texts over
 * 128,000 UTF-16 code units. Non-.txt names are rejected before their bytes are looked at.
 */
export function decodeDocument(name: string, bytes: Uint8Array): DecodeResult {
  if (!isTextName(name)) return { ok: false, reason: `Only .txt files become documents; '${name}' is not one.` };
  let text: string;
  let encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  try {
    if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
      encoding = 'utf-16le';
      text = strictDecode('utf-16le', bytes.subarray(2));
    } else if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
      encoding = 'utf-16be';
      text = strictDecode('utf-16be', bytes.subarray(2));
    } else {
      encoding = 'utf-8';
      const body = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
      text = strictDecode('utf-8', body);
    }
  } catch {
    return { ok: false, reason: 'The file is not valid UTF-8 or UTF-16 with a byte order mark (undecodable bytes).' };
  }
  if (text.length === 0) return { ok: false, reason: 'The file is empty.' };
  if (text.length > MAX_DOCUMENT_CHARS)
    return { ok: false, reason: `The text has ${text.length} characters; the limit is ${MAX_DOCUMENT_CHARS}.` };
  return { ok: true, text, encoding };
}

function strictDecode(encoding: string, bytes: Uint8Array): string {
  if (encoding === 'utf-16be') {
    if (bytes.length % 2 !== 0) throw new Error('odd byte count');
    const swapped = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i += 2) {
      swapped[i] = bytes[i + 1];
      swapped[i + 1] = bytes[i];
    }
    return strictDecode('utf-16le', swapped);
  }
  if (encoding === 'utf-16le') {
    if (bytes.length % 2 !== 0) throw new Error('odd byte count');
    const text = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }).decode(bytes);
    // TextDecoder replaces lone surrogates in UTF-16 even when fatal; check the code units ourselves.
    if (hasLoneSurrogate(bytes)) throw new Error('lone surrogate');
    return text;
  }
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}

function hasLoneSurrogate(le: Uint8Array): boolean {
  for (let i = 0; i < le.length; i += 2) {
    const u = le[i] | (le[i + 1] << 8);
    if (u >= 0xd800 && u <= 0xdbff) {
      const n = i + 3 < le.length ? le[i + 2] | (le[i + 3] << 8) : -1;
      if (!(n >= 0xdc00 && n <= 0xdfff)) return true;
      i += 2;
    } else if (u >= 0xdc00 && u <= 0xdfff) return true;
  }
  return false;
}

/** UTF-8 bytes of a text, as written to blobs by this area. */
export const encodeText = (text: string): Uint8Array => new TextEncoder().encode(text);
