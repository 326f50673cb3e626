// Shared types of the NER engine: documents with labelled spans, predictions, training options and results.

/** A labelled span; offsets and lengths in UTF-16 code units (JavaScript string indices). */
export interface Span {
  offset: number;
  length: number;
  category: string;
}

/** A region of a document that counts for training/evaluation (Azure's regionOffset/regionLength). */
export interface Region {
  offset: number;
  length: number;
}

/** A document with its gold spans. `regions` absent means the whole text counts. */
export interface LabelledDocument {
  /** The document's name (Azure `location`). */
  id: string;
  text: string;
  spans: Span[];
  regions?: Region[];
  language?: string;
}

/** One predicted entity, Azure runtime shape. */
export interface PredictedEntity {
  text: string;
  category: string;
  offset: number;
  length: number;
  /** In [0, 1], from the model's marginals. */
  confidenceScore: number;
}

/** An entity list entry (gazetteer); AWS Comprehend entity list `Text, Type`. */
export interface GazetteerEntry {
  text: string;
  category: string;
}

/** Progress report during training. */
export interface TrainProgress {
  phase: 'prepare' | 'unsupervised' | 'train' | 'export';
  /** 0..1 within the phase. */
  fraction: number;
  message?: string;
}

export interface TrainOptions {
  /** The entity schema; every span's category must be one of these. */
  categories: string[];
  /** Texts without labels from the same project, for features learned from unlabelled data. */
  unlabelledTexts?: string[];
  /** Entity lists used as gazetteer features. */
  gazetteer?: GazetteerEntry[];
  /** Same data + same settings + same seed → byte-identical model. Default 1. */
  seed?: number;
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainStats {
  documents: number;
  tokens: number;
  /** Tokens split because a label boundary fell inside them. */
  boundarySplits: number;
  seconds: number;
}

export interface TrainResult {
  /** The complete model: one ONNX file. */
  onnx: Uint8Array;
  stats: TrainStats;
}
