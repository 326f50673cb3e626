// Tag schemes (BIO, BILOU): encoding spans over tokens as tag sequences, decoding back, and allowed transitions.

export type TagScheme = 'BIO' | 'BILOU';

/** A span over token indices [start, end) with a category index. */
export interface TokenSpan {
  start: number;
  end: number;
  category: number;
}

const PREFIXES: Record<TagScheme, string[]> = { BIO: ['B', 'I'], BILOU: ['B', 'I', 'L', 'U'] };

/** The label inventory of a model: `O` at index 0, then one tag per (category, prefix). */
export class LabelSet {
  readonly names: string[];
  readonly size: number;
  private readonly width: number;

  constructor(readonly categories: readonly string[], readonly scheme: TagScheme) {
    this.width = PREFIXES[scheme].length;
    this.names = ['O'];
    for (const c of categories) for (const p of PREFIXES[scheme]) this.names.push(`${p}-${c}`);
    this.size = this.names.length;
  }

  /** Tag index of prefix (B/I/L/U) for a category index. */
  tag(prefix: 'B' | 'I' | 'L' | 'U', category: number): number {
    const k = PREFIXES[this.scheme].indexOf(prefix);
    if (k < 0) throw new Error(`prefix ${prefix} is not part of ${this.scheme}`);
    return 1 + category * this.width + k;
  }

  prefixOf(tag: number): string {
    return tag === 0 ? 'O' : PREFIXES[this.scheme][(tag - 1) % this.width];
  }

  categoryOf(tag: number): number {
    return tag === 0 ? -1 : Math.floor((tag - 1) / this.width);
  }

  /** Whether tag `b` may follow tag `a`. */
  allowed(a: number, b: number): boolean {
    const pa = this.prefixOf(a);
    const pb = this.prefixOf(b);
    const same = this.categoryOf(a) === this.categoryOf(b);
    if (this.scheme === 'BIO') return pb !== 'I' || ((pa === 'B' || pa === 'I') && same);
    const inside = pa === 'B' || pa === 'I';
    if (inside) return (pb === 'I' || pb === 'L') && same;
    return pb === 'O' || pb === 'B' || pb === 'U';
  }

  allowedStart(b: number): boolean {
    const p = this.prefixOf(b);
    return p === 'O' || p === 'B' || p === 'U';
  }

  allowedEnd(a: number): boolean {
    if (this.scheme === 'BIO') return true;
    const p = this.prefixOf(a);
    return p === 'O' || p === 'L' || p === 'U';
  }

  /** Tags for `n` tokens from non-overlapping spans. */
  encode(n: number, spans: readonly TokenSpan[]): Int32Array {
    const tags = new Int32Array(n);
    for (const s of spans) {
      if (this.scheme === 'BILOU' && s.end - s.start === 1) {
        tags[s.start] = this.tag('U', s.category);
        continue;
      }
      tags[s.start] = this.tag('B', s.category);
      for (let i = s.start + 1; i < s.end; i++) tags[i] = this.tag('I', s.category);
      if (this.scheme === 'BILOU') tags[s.end - 1] = this.tag('L', s.category);
    }
    return tags;
  }

  /** Spans from tags (lenient: an I/L that does not continue a span starts one, like conlleval). */
  decode(tags: ArrayLike<number>): TokenSpan[] {
    const spans: TokenSpan[] = [];
    let cur: TokenSpan | null = null;
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i];
      const p = this.prefixOf(t);
      const c = this.categoryOf(t);
      if (p === 'O') {
        if (cur) spans.push(cur);
        cur = null;
        continue;
      }
      if (p === 'B' || p === 'U' || !cur || cur.category !== c) {
        if (cur) spans.push(cur);
        cur = { start: i, end: i + 1, category: c };
      } else cur.end = i + 1;
      if (p === 'U' || p === 'L') {
        spans.push(cur);
        cur = null;
      }
    }
    if (cur) spans.push(cur);
    return spans;
  }
}
