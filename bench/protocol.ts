// The measurement protocol shared by bench/run.ts (which hands the pass counts to the peer's
// bench/peer-tag-passes.cjs), bench/ours-child.ts and bench/ab-newtext.ts.

/** Sentences per document when a BIO split is tagged as documents. */
export const SENTENCES_PER_DOC = 10;
/** Passes over the test documents in one process: the first cold, the best later one the same text again. */
export const TAG_PASSES = 3;
/** Timed new-text passes (the other split, then the test set), after TAG_PASSES warm-up passes: the best is kept. */
export const NEWTEXT_PASSES = 3;
