import { describe, expect, it } from 'vitest';
import { LabelSet } from '../../../lib/ner/labels.js';

describe('LabelSet', () => {
  const bilou = new LabelSet(['PER', 'ORG'], 'BILOU');
  const bio = new LabelSet(['PER', 'ORG'], 'BIO');

  it('names tags O, then B/I/L/U per category', () => {
    expect(bilou.names).toEqual(['O', 'B-PER', 'I-PER', 'L-PER', 'U-PER', 'B-ORG', 'I-ORG', 'L-ORG', 'U-ORG']);
    expect(bio.names).toEqual(['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG']);
  });

  it('encodes single-token spans as U and longer ones as B…I…L', () => {
    const tags = bilou.encode(6, [{ start: 0, end: 1, category: 0 }, { start: 2, end: 5, category: 1 }]);
    expect([...tags].map((t) => bilou.names[t])).toEqual(['U-PER', 'O', 'B-ORG', 'I-ORG', 'L-ORG', 'O']);
  });

  it('round-trips spans through tags in both schemes, including adjacent spans', () => {
    const spans = [{ start: 0, end: 2, category: 1 }, { start: 2, end: 3, category: 1 }, { start: 4, end: 7, category: 0 }];
    for (const ls of [bilou, bio]) expect(ls.decode(ls.encode(8, spans))).toEqual(spans);
  });

  it('decodes leniently like conlleval: a stray I starts a span', () => {
    expect(bio.decode([0, 2, 2, 0])).toEqual([{ start: 1, end: 3, category: 0 }]);
  });

  it('allows only transitions that keep spans well-formed', () => {
    const t = (n: string) => bilou.names.indexOf(n);
    expect(bilou.allowed(t('O'), t('I-PER'))).toBe(false);
    expect(bilou.allowed(t('B-PER'), t('L-PER'))).toBe(true);
    expect(bilou.allowed(t('B-PER'), t('L-ORG'))).toBe(false);
    expect(bilou.allowed(t('B-PER'), t('O'))).toBe(false);
    expect(bilou.allowed(t('U-PER'), t('B-ORG'))).toBe(true);
    expect(bilou.allowedStart(t('L-PER'))).toBe(false);
    expect(bilou.allowedEnd(t('B-PER'))).toBe(false);
    expect(bio.allowed(bio.names.indexOf('O'), bio.names.indexOf('I-ORG'))).toBe(false);
  });
});
