import { describe, expect, it } from 'vitest';
import { initialScores, Lattice } from '../../../lib/ner/crf.js';
import { LabelSet } from '../../../lib/ner/labels.js';
import { decodeDocument } from '../../../lib/ner/model.js';
import { prepareText } from '../../../lib/ner/prepare.js';

const labels = new LabelSet(['ORG'], 'BILOU');
const L = labels.size;
const chain = { ...initialScores(labels), cross: { u: new Float64Array(L), v: new Float64Array(L) } };
const O = 0, B = labels.tag('B', 0), Lt = labels.tag('L', 0);

/** One line per sequence; `strong`/`weak` name the token indexes read as B…L strongly (Viterbi) or weakly (O wins). */
function run(lines: Array<{ text: string; strong?: [number, number]; weak?: [number, number] }>, consistency: number, projectKnown?: Map<string, number>) {
  const text = lines.map((l) => l.text).join('\n');
  const seqs = prepareText(text);
  expect(seqs.length).toBe(lines.length);
  const emissions = seqs.map((s, k) => {
    const n = s.starts.length;
    const E = new Float64Array(n * L).fill(-10);
    for (let t = 0; t < n; t++) E[t * L + O] = 1;
    const mark = (span: [number, number] | undefined, score: number) => {
      if (!span) return;
      E[span[0] * L + B] = score;
      E[span[1] * L + Lt] = score;
    };
    mark(lines[k].strong, 5);
    mark(lines[k].weak, 0.6);
    return E;
  });
  const lattice = new Lattice(L);
  lattice.setChain(chain);
  return decodeDocument(labels, chain, lattice, seqs, emissions, consistency, projectKnown);
}

// O O read as e^(1+1); B L as e^(0.6+0.6); every other reading is ~e^-9 or less
const weakP = Math.exp(1.2) / (Math.exp(2) + Math.exp(1.2));

describe('decodeDocument: document consistency', () => {
  it('re-reads a name the document established where the model gives it enough probability', () => {
    const lines = [{ text: 'Acme Corp sued Bob .', strong: [0, 1] as [number, number] }, { text: 'Later Acme Corp paid .', weak: [1, 2] as [number, number] }];
    const got = run(lines, 0.2);
    expect(got.map((e) => [e.text, e.offset])).toEqual([['Acme Corp', 0], ['Acme Corp', 27]]);
    expect(got[1].confidenceScore).toBeCloseTo(weakP, 3);
    expect(run(lines, 0).map((e) => e.offset)).toEqual([0]);
    expect(run(lines, weakP + 0.01).map((e) => e.offset)).toEqual([0]);
  });

  it('looks back at earlier sequences for names established later', () => {
    const got = run([{ text: 'Later Acme Corp paid .', weak: [1, 2] }, { text: 'Acme Corp sued Bob .', strong: [0, 1] }], 0.2);
    expect(got.map((e) => [e.text, e.offset])).toEqual([['Acme Corp', 6], ['Acme Corp', 23]]);
  });

  it('uses the project names, and matches whole tokens only', () => {
    const project = new Map([['Acme Corp', 0]]);
    const lines = [{ text: 'Later Acme Corp paid .', weak: [1, 2] as [number, number] }, { text: 'The Acme Corporation paid .', weak: [1, 2] as [number, number] }];
    expect(run(lines, 0.2)).toEqual([]);
    const got = run(lines, 0.2, project);
    expect(got.map((e) => [e.text, e.offset, e.category])).toEqual([['Acme Corp', 6, 'ORG']]);
  });

  it('sees names added to the project map between documents (training grows it from unlabelled text)', () => {
    const project = new Map([['Bob', 0]]);
    const lines = [{ text: 'Later Acme Corp paid .', weak: [1, 2] as [number, number] }];
    expect(run(lines, 0.2, project)).toEqual([]);
    project.set('Acme Corp', 0);
    expect(run(lines, 0.2, project).map((e) => e.text)).toEqual(['Acme Corp']);
  });
});

describe('decodeDocument: exponentials handed in', () => {
  it('takes the confidences from the exponentials the caller hands in, and lets go of them afterwards', () => {
    const seqs = prepareText('Acme Corp sued Bob .');
    const n = seqs[0].starts.length;
    const emissions = (score: number) => {
      const E = new Float64Array(n * L).fill(-10);
      for (let t = 0; t < n; t++) E[t * L + O] = 1;
      E[B] = score;
      E[L + Lt] = score;
      return E;
    };
    const exps = (E: Float64Array) =>
      Float64Array.from(E, (x, i) => Math.exp(x - Math.max(...E.subarray(Math.floor(i / L) * L, Math.floor(i / L) * L + L))));
    const maxima = (E: Float64Array) => Float64Array.from({ length: n }, (_, t) => Math.max(...E.subarray(t * L, t * L + L)));
    const lattice = new Lattice(L);
    lattice.setChain(chain);
    const strong = decodeDocument(labels, chain, lattice, seqs, [emissions(5)], 0);
    const weaker = decodeDocument(labels, chain, lattice, seqs, [emissions(1.5)], 0);
    expect(strong[0].confidenceScore).not.toBeCloseTo(weaker[0].confidenceScore, 3);
    // Viterbi reads the emissions (the same span either way), the confidence the exponentials
    const psi = exps(emissions(1.5));
    const mixed = decodeDocument(labels, chain, lattice, seqs, [emissions(5)], 0, undefined, [maxima(emissions(5))], [psi]);
    expect(mixed.map((e) => [e.offset, e.length])).toEqual(strong.map((e) => [e.offset, e.length]));
    expect(mixed[0].confidenceScore).toBeCloseTo(weaker[0].confidenceScore, 9);
    expect(lattice.psi).not.toBe(psi);
  });
});
