// Azure's data distribution view: documents and labels per entity and per dataset.
import type { DocumentRecord } from './schemas.js';

export interface SplitCounts {
  total: number;
  Train: number;
  Test: number;
  unassigned: number;
}

export interface ProjectStatistics {
  documents: SplitCounts & { labelled: number; unlabelled: number; rejected: number; withLabelsNeedingReview: number };
  labels: SplitCounts & { needsReview: number; suggestions: number };
  /** Per category: labels of it and documents containing it, by dataset. Every schema category appears. */
  entities: Record<string, { labels: SplitCounts; documents: SplitCounts }>;
}

const zero = (): SplitCounts => ({ total: 0, Train: 0, Test: 0, unassigned: 0 });
const bump = (c: SplitCounts, dataset: DocumentRecord['dataset'], n = 1) => {
  c.total += n;
  c[dataset ?? 'unassigned'] += n;
};

/** Counts accepted labels (needsReview ones are counted separately, suggestions never as labels). */
export function computeStatistics(categories: string[], docs: DocumentRecord[]): ProjectStatistics {
  const stats: ProjectStatistics = {
    documents: { ...zero(), labelled: 0, unlabelled: 0, rejected: 0, withLabelsNeedingReview: 0 },
    labels: { ...zero(), needsReview: 0, suggestions: 0 },
    entities: Object.fromEntries(categories.map((c) => [c, { labels: zero(), documents: zero() }])),
  };
  for (const d of docs) {
    if (d.status === 'rejected') {
      stats.documents.rejected++;
      continue;
    }
    bump(stats.documents, d.dataset);
    const accepted = d.labels.filter((l) => l.status !== 'needsReview');
    const review = d.labels.length - accepted.length;
    stats.labels.needsReview += review;
    stats.labels.suggestions += d.suggestions.length;
    if (review > 0) stats.documents.withLabelsNeedingReview++;
    if (accepted.length > 0) stats.documents.labelled++;
    else stats.documents.unlabelled++;
    const seen = new Set<string>();
    for (const l of accepted) {
      bump(stats.labels, d.dataset);
      const e = (stats.entities[l.category] ??= { labels: zero(), documents: zero() });
      bump(e.labels, d.dataset);
      if (!seen.has(l.category)) {
        seen.add(l.category);
        bump(e.documents, d.dataset);
      }
    }
  }
  return stats;
}
