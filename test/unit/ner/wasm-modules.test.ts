import { describe, expect, it } from 'vitest';
import { sumModuleBytes, trainModuleBytes } from '../../../lib/ner/simd.js';
import { latticeModuleBytes } from '../../../lib/ner/wasm-lattice.js';
import { LATTICE_MODULE, SUM_MODULE, TRAIN_MODULE } from '../../../lib/ner/wasm-modules.js';

describe('stored WebAssembly modules', () => {
  it.each([
    ['SUM_MODULE', SUM_MODULE, sumModuleBytes],
    ['TRAIN_MODULE', TRAIN_MODULE, trainModuleBytes],
    ['LATTICE_MODULE', LATTICE_MODULE, latticeModuleBytes],
  ])('%s holds the bytes its builder encodes (after changing a builder: npm run gen:wasm)', (_name, stored, build) => {
    expect(Buffer.from(stored, 'base64').equals(Buffer.from(build()))).toBe(true);
  });
});
