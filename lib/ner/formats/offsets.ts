// Converting between Unicode code point offsets (Python tools) and UTF-16 code unit offsets (ours).

/** Maps code point index → UTF-16 index for `text` (array of length codePoints + 1). */
export function codePointToUtf16Table(text: string): number[] {
  const table: number[] = [];
  let i = 0;
  for (const ch of text) {
    table.push(i);
    i += ch.length;
  }
  table.push(i);
  return table;
}

/** UTF-16 index → code point index (undefined inside a surrogate pair). */
export function utf16ToCodePoint(text: string, index: number): number | undefined {
  let cp = 0;
  let i = 0;
  while (i < index) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    cp++;
  }
  return i === index ? cp : undefined;
}
