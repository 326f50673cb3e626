// CoNLL/BIO files (`token<TAB>tag`, blank line between sentences): reading, writing, and conversion to/from documents.
import { DomainError, type FieldError } from '../../errors.js';
import type { LabelledDocument, Span } from '../types.js';

/** One sentence: tokens and their IOB2 tags, same length. */
export interface BioSentence {
  tokens: string[];
  tags: string[];
}

export interface ReadBioResult {
  sentences: BioSentence[];
  /** Tags rewritten while normalising IOB1/BIOES/broken IOB2 to IOB2 (0 for a clean IOB2 file). */
  repaired: number;
}

/**
 * Normalises tags to IOB2 with conlleval chunk semantics: `S-X` → `B-X`, `E-X` → `I-X`, and an `I-X` (or `E-X`)
 * that does not continue a chunk of type X starts one (`B-X`). IOB1 input therefore becomes IOB2 exactly.
 * Returns `badTagIndex` for the first tag that is not `O` or `[BIES]-type`.
 */
export function toIob2(tags: readonly string[]): { tags: string[]; repaired: number } | { badTagIndex: number } {
  const out: string[] = [];
  let repaired = 0;
  let inside: string | null = null;
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i];
    if (t === 'O') {
      out.push('O');
      inside = null;
      continue;
    }
    // /^([BIES])-(.+)$/ without a match object per tag (most files have many)
    const prefix = t.charCodeAt(0);
    if (t.length < 3 || t.charCodeAt(1) !== 45 || (prefix !== B && prefix !== I && prefix !== E && prefix !== S) || LINE_BREAK.test(t)) {
      return { badTagIndex: i };
    }
    const type = t.slice(2);
    if (prefix === B || prefix === S) {
      // the tag itself when it is already the IOB2 one (no new string)
      out.push(prefix === B ? t : `B-${type}`);
      if (prefix === S) repaired++;
      inside = type;
    } else if (inside === type) {
      out.push(prefix === I ? t : `I-${type}`);
      if (prefix === E) repaired++;
    } else {
      out.push(`B-${type}`);
      inside = type;
      repaired++;
    }
  }
  return { tags: out, repaired };
}

const B = 66;
const I = 73;
const E = 69;
const S = 83;
/** What `.` in a regular expression does not match. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/**
 * Reads a BIO file's text into sentences. Columns are tab-separated (`token<TAB>tag`); a line without a tab is split
 * on spaces and its first and last columns used (CoNLL-2003 style). Blank lines (also `\t`-only and CRLF lines)
 * separate sentences; `-DOCSTART-` lines are skipped. Tags in IOB1 or BIOES are normalised to IOB2.
 * @throws DomainError VALIDATION_FAILED naming the line (`line 12`) of a line without a tag or with a bad tag.
 */
export function readBio(text: string): ReadBioResult {
  const sentences: BioSentence[] = [];
  // 1-based line number of each token, per sentence, for error messages about tags found after grouping.
  const sentenceLines: number[][] = [];
  let cur: BioSentence = { tokens: [], tags: [] };
  let curLines: number[] = [];
  const flush = () => {
    if (cur.tokens.length > 0) {
      sentences.push(cur);
      sentenceLines.push(curLines);
    }
    cur = { tokens: [], tags: [] };
    curLines = [];
  };
  const fail = (lineNo: number, message: string): never => {
    const errors: FieldError[] = [{ path: `line ${lineNo}`, message }];
    throw new DomainError('VALIDATION_FAILED', `invalid BIO file: line ${lineNo}: ${message}`, { errors });
  };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rawLines = body.split('\n');
  for (let n = 0; n < rawLines.length; n++) {
    const line = rawLines[n].endsWith('\r') ? rawLines[n].slice(0, -1) : rawLines[n];
    if (line.trim() === '') {
      flush();
      continue;
    }
    // the first and last tab-separated columns, without splitting the line into an array
    const tab = line.indexOf('\t');
    let token: string;
    let tag: string;
    if (tab >= 0) {
      token = line.slice(0, tab);
      tag = line.slice(line.lastIndexOf('\t') + 1).trim();
    } else {
      const cols = line.trim().split(/ +/);
      token = cols[0];
      tag = cols.length < 2 ? '' : cols[cols.length - 1].trim();
    }
    if (tag === '') fail(n + 1, `expected "token<TAB>tag", got ${JSON.stringify(line)}`);
    if (token === '-DOCSTART-') {
      flush();
      continue;
    }
    if (token === '') fail(n + 1, 'empty token');
    cur.tokens.push(token);
    cur.tags.push(tag);
    curLines.push(n + 1);
  }
  flush();
  let repaired = 0;
  sentences.forEach((s, i) => {
    const r = toIob2(s.tags);
    if ('badTagIndex' in r) {
      fail(sentenceLines[i][r.badTagIndex], `bad tag ${JSON.stringify(s.tags[r.badTagIndex])} (expected O, B-X, I-X, E-X or S-X)`);
    } else {
      s.tags = r.tags;
      repaired += r.repaired;
    }
  });
  return { sentences, repaired };
}

/** Writes sentences as `token<TAB>tag` lines with a blank line after each sentence. */
export function serializeBio(sentences: readonly BioSentence[]): string {
  const parts: string[] = [];
  for (const s of sentences) {
    for (let i = 0; i < s.tokens.length; i++) parts.push(`${s.tokens[i]}\t${s.tags[i]}`);
    parts.push('');
  }
  return parts.length ? parts.join('\n') + '\n' : '';
}

/** IOB2 tags → chunks over token indices `[start, end)` (conlleval semantics, like tools/lib.js bioSpans). */
export function bioChunks(tags: readonly string[]): Array<{ start: number; end: number; type: string }> {
  const chunks: Array<{ start: number; end: number; type: string }> = [];
  let cur: { start: number; end: number; type: string } | null = null;
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i];
    if (t === 'O') {
      if (cur) chunks.push(cur);
      cur = null;
      continue;
    }
    const type = t.slice(2);
    if (t[0] === 'B' || !cur || cur.type !== type) {
      if (cur) chunks.push(cur);
      cur = { start: i, end: i + 1, type };
    } else {
      cur.end = i + 1;
    }
  }
  if (cur) chunks.push(cur);
  return chunks;
}

/** Character offsets of each token in a sentence joined by single spaces. */
export function tokenOffsets(tokens: readonly string[], base = 0): number[] {
  const offsets: number[] = [];
  let at = base;
  for (const t of tokens) {
    offsets.push(at);
    at += t.length + 1;
  }
  return offsets;
}

export interface BioToDocumentsOptions {
  /** Sentences per document (default 10, as the bench documents). */
  sentencesPerDocument?: number;
  /** Document ids are `${prefix}_00001.txt`… (default `doc`). */
  idPrefix?: string;
  language?: string;
}

/**
 * Groups sentences into documents: tokens joined by single spaces, sentences by `\n`; each chunk becomes a span
 * whose offsets are exact UTF-16 offsets in that text. The bench's documents were made the same way.
 */
export function bioToDocuments(sentences: readonly BioSentence[], opts: BioToDocumentsOptions = {}): LabelledDocument[] {
  const per = opts.sentencesPerDocument ?? 10;
  if (!Number.isInteger(per) || per < 1) throw new RangeError('sentencesPerDocument must be a positive integer');
  const prefix = opts.idPrefix ?? 'doc';
  const docs: LabelledDocument[] = [];
  for (let i = 0; i < sentences.length; i += per) {
    const group = sentences.slice(i, i + per);
    const spans: Span[] = [];
    const lines: string[] = [];
    let base = 0;
    for (const s of group) {
      const offs = tokenOffsets(s.tokens, base);
      for (const c of bioChunks(s.tags)) {
        const start = offs[c.start];
        const end = offs[c.end - 1] + s.tokens[c.end - 1].length;
        spans.push({ offset: start, length: end - start, category: c.type });
      }
      const line = s.tokens.join(' ');
      lines.push(line);
      base += line.length + 1;
    }
    const doc: LabelledDocument = {
      id: `${prefix}_${String(docs.length + 1).padStart(5, '0')}.txt`,
      text: lines.join('\n'),
      spans,
    };
    if (opts.language !== undefined) doc.language = opts.language;
    docs.push(doc);
  }
  return docs;
}

/** A token of a text, UTF-16 offsets. */
export interface TextToken {
  offset: number;
  length: number;
}

/** Splits on whitespace; the default tokenizer of `documentsToBio`. */
export function whitespaceTokenize(text: string): TextToken[] {
  const out: TextToken[] = [];
  for (const m of text.matchAll(/\S+/gu)) out.push({ offset: m.index, length: m[0].length });
  return out;
}

/** A span that could not be written exactly as BIO, with the reason. */
export interface BioExportProblem {
  id: string;
  span: Span;
  reason: string;
}

/**
 * Documents → BIO sentences: each line of a document is a sentence (blank lines skipped), tokenised by `tokenize`
 * (default: whitespace). A token overlapping a span gets its tag; a span whose edge falls inside a token (the token
 * is tagged as a whole) or that covers no token is reported in `problems`, never dropped silently.
 */
export function documentsToBio(
  docs: readonly LabelledDocument[],
  tokenize: (text: string) => TextToken[] = whitespaceTokenize,
): { sentences: BioSentence[]; problems: BioExportProblem[] } {
  const sentences: BioSentence[] = [];
  const problems: BioExportProblem[] = [];
  for (const doc of docs) {
    const tokens = tokenize(doc.text);
    const spans = [...doc.spans].sort((a, b) => a.offset - b.offset);
    const tagOf: string[] = tokens.map(() => 'O');
    const ownerOf: Array<Span | null> = tokens.map(() => null);
    for (const span of spans) {
      const end = span.offset + span.length;
      let first = true;
      let covered = 0;
      for (let k = 0; k < tokens.length; k++) {
        const t = tokens[k];
        const tEnd = t.offset + t.length;
        if (tEnd <= span.offset || t.offset >= end) continue;
        if (ownerOf[k] !== null) {
          problems.push({ id: doc.id, span, reason: 'shares a token with another label' });
          break;
        }
        if (t.offset < span.offset || tEnd > end) {
          problems.push({ id: doc.id, span, reason: `label edge falls inside token ${JSON.stringify(doc.text.slice(t.offset, tEnd))}` });
        }
        tagOf[k] = `${first ? 'B' : 'I'}-${span.category}`;
        ownerOf[k] = span;
        first = false;
        covered++;
      }
      if (covered === 0) problems.push({ id: doc.id, span, reason: 'covers no token' });
    }
    // A sentence ends at a newline; tokens never contain one (the tokenizer splits there).
    let cur: BioSentence = { tokens: [], tags: [] };
    let lastEnd = 0;
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if (cur.tokens.length > 0 && doc.text.slice(lastEnd, t.offset).includes('\n')) {
        sentences.push(cur);
        cur = { tokens: [], tags: [] };
      }
      // A label starting in the previous sentence continues as B- in the new one (IOB2 cannot cross sentences).
      const tag = cur.tokens.length === 0 && tagOf[k].startsWith('I-') ? `B-${tagOf[k].slice(2)}` : tagOf[k];
      cur.tokens.push(doc.text.slice(t.offset, t.offset + t.length));
      cur.tags.push(tag);
      lastEnd = t.offset + t.length;
    }
    if (cur.tokens.length > 0) sentences.push(cur);
  }
  return { sentences, problems };
}
