// Writes one benchmark folder in the layout of ../shared/bench/<name>/ (see its README):
//   project.json (Azure Custom NER project file, Utf16CodeUnit offsets, documents marked Train / Test),
//   docs/*.txt (10 sentences each, tokens joined by single spaces, sentences by \n, no trailing newline),
//   train.bio / test.bio / dev.bio (token<TAB>tag, IOB2, blank line after each sentence), stats.json.
// Input sentences are { tokens: string[], tags: string[] } in IOB2; nothing here labels anything.
// Run with the tsx loader (make.sh does): the BIO helpers are the engine's own (lib/ner/formats/bio.ts).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bioChunks, bioToDocuments, serializeBio } from '../../lib/ner/formats/bio.ts';

export const SENTS_PER_DOC = 10;

function checkSentence(s, where) {
  if (s.tokens.length === 0) throw new Error(`${where}: empty sentence`);
  if (s.tokens.length !== s.tags.length) throw new Error(`${where}: ${s.tokens.length} tokens, ${s.tags.length} tags`);
  let prev = 'O';
  s.tokens.forEach((tok, i) => {
    if (tok === '' || /\s/.test(tok)) throw new Error(`${where}: bad token ${JSON.stringify(tok)}`);
    const tag = s.tags[i];
    if (tag !== 'O' && !/^[BI]-\S+$/.test(tag)) throw new Error(`${where}: bad tag ${tag}`);
    if (tag.startsWith('I-') && prev.slice(2) !== tag.slice(2)) throw new Error(`${where}: ${tag} after ${prev} is not IOB2`);
    prev = tag;
  });
}

/** Sentences -> documents of SENTS_PER_DOC sentences with labels at UTF-16 offsets (as the engine reads BIO files). */
function toDocs(sents, prefix) {
  return bioToDocuments(sents, { sentencesPerDocument: SENTS_PER_DOC, idPrefix: prefix }).map((d, i) => {
    // Check: every label's text is the tokens of its span.
    for (const l of d.spans) {
      const piece = d.text.slice(l.offset, l.offset + l.length);
      if (piece !== piece.trim() || piece.includes('\n')) throw new Error(`${prefix} doc ${i + 1}: label text ${JSON.stringify(piece)}`);
    }
    return { id: d.id, text: d.text, labels: d.spans.map((l) => ({ category: l.category, offset: l.offset, length: l.length })) };
  });
}

function splitStats(sents, docs, sources) {
  const perLabel = {};
  let entities = 0;
  let tokens = 0;
  const issues = { withSpace: 0, withNewline: 0, withOtherWhitespace: 0, withBOM: 0, astral: 0 };
  for (const s of sents) {
    tokens += s.tokens.length;
    for (const t of s.tokens) {
      if (t.includes(' ')) issues.withSpace++;
      if (t.includes('\n')) issues.withNewline++;
      if (/[^\S \n]/.test(t)) issues.withOtherWhitespace++;
      if (t.includes('\ufeff')) issues.withBOM++;
      if (/[\u{10000}-\u{10FFFF}]/u.test(t)) issues.astral++;
    }
    for (const sp of bioChunks(s.tags)) {
      perLabel[sp.type] = (perLabel[sp.type] ?? 0) + 1;
      entities++;
    }
  }
  const out = { sentences: sents.length, tokens, entities, perLabel, bioRepairs: 0, tokenIssues: issues, sources };
  if (docs) {
    out.docs = docs.length;
    out.docsWhereUtf16OffsetsDifferFromCodePoints = docs.filter((d) => d.text.length !== [...d.text].length).length;
    out.maxDocChars = Math.max(...docs.map((d) => d.text.length));
  }
  return out;
}

/**
 * @param {string} root  output parent folder
 * @param {string} name  dataset folder name
 * @param {{train: object[], test: object[], dev?: object[]}} splits
 * @param {{language: string, sources: {train: string[], test: string[], dev?: string[]}, notes?: object}} meta
 */
export function buildDataset(root, name, splits, meta) {
  for (const [k, sents] of Object.entries(splits)) sents.forEach((s, i) => checkSentence(s, `${name} ${k} sentence ${i + 1}`));
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'docs'), { recursive: true });
  const trainDocs = toDocs(splits.train, 'train');
  const testDocs = toDocs(splits.test, 'test');
  const categories = [...new Set([...splits.train, ...splits.test].flatMap((s) => bioChunks(s.tags).map((sp) => sp.type)))].sort();
  const documents = [];
  for (const [dataset, docs] of [['Train', trainDocs], ['Test', testDocs]]) {
    for (const d of docs) {
      writeFileSync(join(dir, 'docs', d.id), d.text);
      documents.push({
        location: d.id,
        language: meta.language,
        dataset,
        entities: [{ regionOffset: 0, regionLength: d.text.length, labels: d.labels }],
      });
    }
  }
  const projectName = name.replace(/_/g, '-');
  const project = {
    projectFileVersion: '2022-05-01',
    stringIndexType: 'Utf16CodeUnit',
    metadata: {
      projectKind: 'CustomEntityRecognition',
      projectName,
      language: meta.language,
      multilingual: false,
      storageInputContainerName: projectName,
    },
    assets: { projectKind: 'CustomEntityRecognition', entities: categories.map((category) => ({ category })), documents },
  };
  writeFileSync(join(dir, 'project.json'), JSON.stringify(project, null, 1) + '\n');
  writeFileSync(join(dir, 'train.bio'), serializeBio(splits.train));
  writeFileSync(join(dir, 'test.bio'), serializeBio(splits.test));
  if (splits.dev) writeFileSync(join(dir, 'dev.bio'), serializeBio(splits.dev));
  const stats = {
    name,
    sentsPerDoc: SENTS_PER_DOC,
    ...(meta.notes ? { notes: meta.notes } : {}),
    splits: {
      train: splitStats(splits.train, trainDocs, meta.sources.train),
      ...(splits.dev ? { dev: splitStats(splits.dev, null, meta.sources.dev) } : {}),
      test: splitStats(splits.test, testDocs, meta.sources.test),
    },
  };
  writeFileSync(join(dir, 'stats.json'), JSON.stringify(stats, null, 1) + '\n');
  return stats;
}
