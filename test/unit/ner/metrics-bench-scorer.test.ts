import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { predLines, projectSpans, scorePredFile } from '../../../bench/score.js';

const SHARED_SCORER = '/work/shared/bench/tools/score.js';

// Broken IOB2 on purpose: I- after O, I- of another type, a chunk at sentence end.
const PRED = [
  'Alice B-PER B-PER',
  'Smith I-PER O',
  'met O I-PER',
  'Bob B-PER B-PER',
  'in O I-LOC',
  'Paris B-LOC I-LOC',
  '',
  'New B-LOC B-LOC',
  'York I-LOC I-LOC',
  'rocks O O',
  'Rome B-LOC B-ORG',
  '',
].join('\n');

describe('bench span scorer', () => {
  it('counts chunks like conlleval', () => {
    // gold: Alice Smith/PER, Bob/PER, Paris/LOC, New York/LOC, Rome/LOC = 5
    // pred: Alice/PER, met/PER, Bob/PER, in Paris/LOC, New York/LOC, Rome/ORG = 6; exact: Bob, New York = 2
    expect(scorePredFile(PRED)).toMatchObject({ tp: 2, pred: 6, gold: 5, precision: 2 / 6, recall: 2 / 5 });
  });

  it.skipIf(!existsSync(SHARED_SCORER))('agrees with the shared tools/score.js', () => {
    const { score, readPred } = createRequire(import.meta.url)(SHARED_SCORER);
    const fs = createRequire(import.meta.url)('node:fs');
    const file = `${process.env.TMPDIR ?? '/tmp'}/cner-scorer-${process.pid}.pred`;
    fs.writeFileSync(file, PRED);
    try {
      const ref = score(readPred(file)).micro;
      const mine = scorePredFile(PRED);
      expect([mine.tp, mine.pred, mine.gold, mine.f1]).toEqual([ref.tp, ref.pred, ref.gold, ref.f1]);
    } finally {
      fs.unlinkSync(file);
    }
  });

  it('projects character spans onto the tokens of sentences joined by spaces and newlines', () => {
    const sentences = [
      { tokens: ['New', 'York', 'is', 'big'], tags: ['B-LOC', 'I-LOC', 'O', 'O'] },
      { tokens: ['Go', 'U.S.', 'now'], tags: ['O', 'B-LOC', 'O'] },
    ];
    // text: "New York is big\nGo U.S. now"; "U.S" stops inside the token "U.S." → tagged, counted as misaligned.
    const r = projectSpans(sentences, [
      { offset: 0, length: 8, category: 'LOC' },
      { offset: 19, length: 3, category: 'LOC' },
    ]);
    expect(r.tags).toEqual([['B-LOC', 'I-LOC', 'O', 'O'], ['O', 'B-LOC', 'O']]);
    expect(r.misaligned).toBe(1);
    expect(predLines(sentences, r.tags)).toBe('New B-LOC B-LOC\nYork I-LOC I-LOC\nis O O\nbig O O\n\nGo O O\nU.S. B-LOC B-LOC\nnow O O\n');
  });
});
