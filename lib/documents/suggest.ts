// Auto-labelling: finds entity-list entries in a text at word boundaries and proposes non-overlapping spans.

export interface ListEntry {
  text: string;
  category: string;
}

export interface ProposedSpan {
  category: string;
  offset: number;
  length: number;
}

const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);

/**
 * Proposes spans for every occurrence of an entry's text that starts and ends at word boundaries, longest match first,
 * never overlapping each other nor `occupied` spans. An entry text listed under several categories takes the most
 * frequent one (first listed on a tie). Matching is case-sensitive: entity lists are names.
 */
export function proposeSpans(
  text: string,
  entries: ListEntry[],
  occupied: Array<{ offset: number; length: number }> = [],
): ProposedSpan[] {
  const votes = new Map<string, Map<string, number>>();
  for (const e of entries) {
    const t = e.text.trim();
    if (!t) continue;
    const m = votes.get(t) ?? new Map<string, number>();
    m.set(e.category, (m.get(e.category) ?? 0) + 1);
    votes.set(t, m);
  }
  const candidates: ProposedSpan[] = [];
  for (const [t, m] of votes) {
    let category = '';
    let best = -1;
    for (const [c, n] of m) if (n > best) [category, best] = [c, n];
    for (let at = text.indexOf(t); at !== -1; at = text.indexOf(t, at + 1)) {
      const end = at + t.length;
      // Boundaries: not inside a word on either side (only checked where the entry itself starts/ends with a word char).
      if (isWordChar(t[0]) && isWordChar(text[at - 1])) continue;
      if (isWordChar(t[t.length - 1]) && isWordChar(text[end])) continue;
      candidates.push({ category, offset: at, length: t.length });
    }
  }
  candidates.sort((a, b) => b.length - a.length || a.offset - b.offset);
  const taken = occupied.map((o) => ({ offset: o.offset, end: o.offset + o.length }));
  const out: ProposedSpan[] = [];
  for (const c of candidates) {
    const end = c.offset + c.length;
    if (taken.some((t) => c.offset < t.end && end > t.offset)) continue;
    taken.push({ offset: c.offset, end });
    out.push(c);
  }
  return out.sort((a, b) => a.offset - b.offset);
}
