// Builds 10-document versions of the ../shared/bench datasets into .bench/tiny (the issue's "tiny 10-document
// training sets"): the first 10 Train documents of each project and every Test document, the matching first 100
// sentences of train.bio (10 sentences a document), test.bio and dev.bio as they are. Then:
//   BENCH_DATA=.bench/tiny npm run bench
// Usage: node bench/tiny/make.mjs [--docs N]
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const shared = resolve(process.env.SHARED_BENCH ?? join(repo, '../shared/bench'));
const out = join(repo, '.bench/tiny');
const i = process.argv.indexOf('--docs');
const keep = i >= 0 ? Number(process.argv[i + 1]) : 10;
if (!Number.isInteger(keep) || keep < 1) throw new Error('--docs: a positive whole number');
const SENTENCES_PER_DOC = 10;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const name of readdirSync(shared).sort()) {
  const src = join(shared, name);
  if (!existsSync(join(src, 'project.json')) || !existsSync(join(src, 'train.bio'))) continue;
  const project = JSON.parse(readFileSync(join(src, 'project.json'), 'utf8'));
  const docs = project.assets.documents;
  const train = docs.filter((d) => d.dataset === 'Train');
  // the BIO split and the project's Train documents are the same sentences in the same order
  train.forEach((d, k) => {
    if (d.location !== `train_${String(k + 1).padStart(5, '0')}.txt`) throw new Error(`${name}: Train document ${k} is ${d.location}`);
  });
  const kept = new Set(train.slice(0, keep).map((d) => d.location));
  project.assets.documents = docs.filter((d) => d.dataset !== 'Train' || kept.has(d.location));
  const dst = join(out, `${name}_${keep}docs`);
  mkdirSync(dst);
  writeFileSync(join(dst, 'project.json'), JSON.stringify(project, null, 1) + '\n');
  symlinkSync(join(src, 'docs'), join(dst, 'docs'), 'dir');
  const blocks = readFileSync(join(src, 'train.bio'), 'utf8').split(/\n\s*\n/).filter((b) => b.trim() !== '');
  writeFileSync(join(dst, 'train.bio'), blocks.slice(0, keep * SENTENCES_PER_DOC).join('\n\n') + '\n\n');
  for (const f of ['test.bio', 'dev.bio']) if (existsSync(join(src, f))) cpSync(join(src, f), join(dst, f));
  console.log(`${dst}: ${kept.size} Train documents, ${project.assets.documents.length - kept.size} others`);
}
// the benchmark stages the peer and the scorer from the data folder (copies: they write next to themselves)
cpSync(join(shared, 'peer'), join(out, 'peer'), { recursive: true });
cpSync(join(shared, 'tools'), join(out, 'tools'), { recursive: true });
const writable = (p) => {
  for (const e of readdirSync(p, { withFileTypes: true })) {
    if (e.isSymbolicLink()) continue;
    chmodSync(join(p, e.name), e.isDirectory() ? 0o755 : 0o644);
    if (e.isDirectory()) writable(join(p, e.name));
  }
};
writable(out);
console.log(`run: BENCH_DATA=${out} npm run bench`);
