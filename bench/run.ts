// The NER benchmark (`npm run bench [-- dataset… --no-unlabelled --peer-only]`): ours against the CRFsuite peer on
// every dataset of ../shared/bench, in one run, on this machine; prints the table and the bars, saves bench/out/.
// `--repeat=N` runs each step N times and keeps the best times (for a busy machine).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NEWTEXT_PASSES, TAG_PASSES } from './protocol.js';
import { scorePredFile, type SpanScore } from './score.js';

const REPO = resolve(import.meta.dirname, '..');
const DATA = resolve(process.env.BENCH_DATA ?? join(REPO, '../shared/bench'));
const PEER_CACHE = join(REPO, '.bench/peer');
const OUT = join(REPO, 'bench/out');

const BARS = { f1Points: 2, trainRatio: 1.5, tagRatio: 3, loadMs: 300, modelMb: 50 };

interface Args {
  datasets: string[];
  unlabelled: boolean;
  peerOnly: boolean;
  /** Runs per dataset; times are the best of them (a shared machine only ever makes a run slower). */
  repeat: number;
}

function parseCli(argv: string[]): Args {
  const a: Args = { datasets: [], unlabelled: true, peerOnly: false, repeat: 1 };
  for (const x of argv) {
    if (x === '--no-unlabelled') a.unlabelled = false;
    else if (x === '--peer-only') a.peerOnly = true;
    else if (/^--repeat=\d+$/.test(x) && Number(x.slice(9)) >= 1) a.repeat = Number(x.slice(9));
    else if (x.startsWith('-')) throw new Error(`unknown option ${x} (expected dataset names, --no-unlabelled, --peer-only, --repeat=N)`);
    else a.datasets.push(x);
  }
  return a;
}

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

/** Runs a child process, passing its stderr through; resolves with its stdout and wall time, rejects on failure. */
function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ stdout: string; wallS: number }> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const wallS = (performance.now() - t0) / 1000;
      if (code === 0) done({ stdout, wallS });
      else fail(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

const lastJsonLine = (s: string) => JSON.parse(s.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? 'null');

/** Installs the pinned peer (bench/peer/package-lock.json) into .bench/peer once; crfsuite compiles with g++. */
async function ensurePeer(): Promise<void> {
  const lock = await readFile(join(REPO, 'bench/peer/package-lock.json'), 'utf8');
  const installedLock = await readFile(join(PEER_CACHE, 'package-lock.json'), 'utf8').catch(() => '');
  if (installedLock === lock && existsSync(join(PEER_CACHE, 'node_modules/crfsuite/package.json'))) return;
  log(`installing the CRFsuite peer into ${PEER_CACHE} (compiles from source, about a minute)`);
  await rm(PEER_CACHE, { recursive: true, force: true });
  await mkdir(PEER_CACHE, { recursive: true });
  await copyFile(join(REPO, 'bench/peer/package.json'), join(PEER_CACHE, 'package.json'));
  await copyFile(join(REPO, 'bench/peer/package-lock.json'), join(PEER_CACHE, 'package-lock.json'));
  await run('npm', ['ci', '--prefix', PEER_CACHE, '--no-audit', '--no-fund'], { cwd: PEER_CACHE, env: { npm_config_nodedir: '/usr' } });
  await run(process.execPath, ['-e', "require('crfsuite')"], { cwd: PEER_CACHE });
}

async function makeWritable(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      await chmod(p, 0o755);
      await makeWritable(p);
    } else if (e.isFile()) await chmod(p, 0o644);
  }
}

/** Copies the bench folder (peer, tools, the chosen datasets) somewhere writable; the peer writes next to itself. */
async function stageData(datasets: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cner-bench-'));
  for (const d of ['peer', 'tools', ...datasets]) await cp(join(DATA, d), join(dir, d), { recursive: true });
  await chmod(dir, 0o755);
  await makeWritable(dir);
  await symlink(join(PEER_CACHE, 'node_modules'), join(dir, 'peer/node_modules'), 'dir');
  return dir;
}

interface PeerResult {
  train: { total_s: number; train_s: number; featurize_append_s: number; model_bytes: number; tokens: number; sentences: number };
  trainWallS: number;
  trainPeakRssMb: number;
  tag: { e2e_tok_per_s: number; tagonly_tok_per_s: number; model_open_ms: number; tokens: number };
  /** The same end-to-end tagging repeated in one process (bench/peer-tag-passes.cjs): pass 1 cold, then steady. */
  passes: { cold_tok_per_s: number; warm_tok_per_s: number; newtext_tok_per_s: number; tok_per_s: number[] };
  tagPeakRssMb: number;
  score: SpanScore;
}

async function runPeer(stage: string, name: string): Promise<PeerResult> {
  const preload = join(REPO, 'bench/rss-preload.cjs');
  const rssFile = join(stage, `rss-${name}`);
  const env = { BENCH_DATA: stage, BENCH_RSS_FILE: rssFile };
  const cwd = join(stage, 'peer');
  log(`${name}: peer train`);
  const tr = await run(process.execPath, ['-r', preload, 'crf.js', 'train', name], { cwd, env });
  const trainRss = Number(await readFile(rssFile, 'utf8')) / 1024;
  log(`${name}: peer tag`);
  const tg = await run(process.execPath, ['-r', preload, 'crf.js', 'tag', name], { cwd, env });
  const tagRss = Number(await readFile(rssFile, 'utf8')) / 1024;
  const passes = await run(process.execPath, [join(REPO, 'bench/peer-tag-passes.cjs'), name, String(TAG_PASSES), String(NEWTEXT_PASSES)], { cwd, env });
  const pred = join(OUT, `${name}.peer.pred`);
  await copyFile(join(cwd, 'out', `${name}.pred`), pred);
  return {
    train: lastJsonLine(tr.stdout),
    trainWallS: tr.wallS,
    trainPeakRssMb: trainRss,
    tag: lastJsonLine(tg.stdout),
    passes: lastJsonLine(passes.stdout),
    tagPeakRssMb: tagRss,
    score: scorePredFile(await readFile(pred, 'utf8')),
  };
}

interface OursResult {
  train: {
    documents: number;
    tokens: number;
    boundarySplits: number;
    unlabelledDocuments: number;
    unlabelledSentences: number;
    total_s: number;
    model_bytes: number;
    peak_rss_mb: number;
  };
  trainWallS: number;
  tag: {
    load_ms: number;
    tok_per_s: number;
    warm_tok_per_s: number;
    newtext_tok_per_s: number;
    tokens: number;
    misaligned: number;
    entities: number;
    peak_rss_mb: number;
    curve: Array<{ threshold: number; precision: number; recall: number; f1: number; predicted: number }>;
  };
  score: SpanScore;
}

async function runOurs(stage: string, name: string, unlabelled: boolean): Promise<OursResult> {
  const child = join(REPO, 'bench/ours-child.ts');
  const model = join(OUT, `${name}.onnx`);
  const dir = join(stage, name);
  log(`${name}: ours train${unlabelled ? ' (dev.bio as unlabelled documents)' : ''}`);
  const tr = await run(process.execPath, ['--import', 'tsx', child, 'train', dir, model, ...(unlabelled ? [] : ['--no-unlabelled'])], { cwd: REPO });
  log(`${name}: ours tag`);
  const pred = join(OUT, `${name}.ours.pred`);
  const tg = await run(process.execPath, ['--import', 'tsx', child, 'tag', dir, model, pred], { cwd: REPO });
  log(`${name}: ours new text in a warm process`);
  const nt = await run(process.execPath, ['--import', 'tsx', child, 'newtext', dir, model], { cwd: REPO });
  const tag = { ...lastJsonLine(tg.stdout), newtext_tok_per_s: lastJsonLine(nt.stdout).newtext_tok_per_s };
  return { train: lastJsonLine(tr.stdout), trainWallS: tr.wallS, tag, score: scorePredFile(await readFile(pred, 'utf8')) };
}

/** Keeps the best time of two runs of the peer (scores are identical: training is deterministic). */
function bestPeer(a: PeerResult | undefined, b: PeerResult): PeerResult {
  if (!a) return b;
  return {
    ...b,
    train: b.train.total_s < a.train.total_s ? b.train : a.train,
    trainWallS: Math.min(a.trainWallS, b.trainWallS),
    tag: b.tag.e2e_tok_per_s > a.tag.e2e_tok_per_s ? b.tag : a.tag,
    passes: {
      ...b.passes,
      cold_tok_per_s: Math.max(a.passes.cold_tok_per_s, b.passes.cold_tok_per_s),
      warm_tok_per_s: Math.max(a.passes.warm_tok_per_s, b.passes.warm_tok_per_s),
      newtext_tok_per_s: Math.max(a.passes.newtext_tok_per_s, b.passes.newtext_tok_per_s),
    },
  };
}

function bestOurs(a: OursResult | undefined, b: OursResult): OursResult {
  if (!a) return b;
  return {
    ...b,
    train: { ...b.train, total_s: Math.min(a.train.total_s, b.train.total_s) },
    trainWallS: Math.min(a.trainWallS, b.trainWallS),
    tag: {
      ...b.tag,
      tok_per_s: Math.max(a.tag.tok_per_s, b.tag.tok_per_s),
      warm_tok_per_s: Math.max(a.tag.warm_tok_per_s, b.tag.warm_tok_per_s),
      newtext_tok_per_s: Math.max(a.tag.newtext_tok_per_s, b.tag.newtext_tok_per_s),
      load_ms: Math.min(a.tag.load_ms, b.tag.load_ms),
    },
  };
}

/** Scores a pred file with the shared tools/score.js and checks our scorer gives the same counts and F1. */
async function crossCheck(stage: string, predFile: string, mine: SpanScore): Promise<{ agree: boolean; reference: SpanScore }> {
  const json = `${predFile}.score.json`;
  await run(process.execPath, [join(stage, 'tools/score.js'), predFile, '--json', json], { cwd: stage });
  const ref = JSON.parse(await readFile(json, 'utf8')).micro as { precision: number; recall: number; f1: number; tp: number; pred: number; gold: number };
  await rm(json, { force: true });
  const agree =
    ref.tp === mine.tp && ref.pred === mine.pred && ref.gold === mine.gold && Math.abs(ref.f1 - mine.f1) < 1e-12 &&
    Math.abs(ref.precision - mine.precision) < 1e-12 && Math.abs(ref.recall - mine.recall) < 1e-12;
  return { agree, reference: ref };
}

const f = (x: number, d = 1) => x.toFixed(d);
const int = (x: number) => Math.round(x).toLocaleString('en-US');
/** The higher of the two F1 figures is bold. */
const bold = (on: boolean, s: string) => (on ? `**${s}**` : s);

async function main() {
  const args = parseCli(process.argv.slice(2));
  const available = (await readdir(DATA, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && existsSync(join(DATA, e.name, 'project.json')) && existsSync(join(DATA, e.name, 'test.bio')))
    .map((e) => e.name)
    .sort();
  const datasets = args.datasets.length ? args.datasets : available;
  for (const d of datasets) if (!available.includes(d)) throw new Error(`no dataset ${d} in ${DATA} (have: ${available.join(', ')})`);
  const withOurs = !args.peerOnly && existsSync(join(REPO, 'lib/ner/engine.ts'));
  if (!args.peerOnly && !withOurs) log('lib/ner/engine.ts does not exist yet: running the peer only');

  await ensurePeer();
  await mkdir(OUT, { recursive: true });
  const stage = await stageData(datasets);
  log(`data staged in ${stage}`);
  const results: Array<{ dataset: string; peer: PeerResult; ours?: OursResult; scorerAgrees: Record<string, boolean> }> = [];
  try {
    for (const name of datasets) {
      let peer: PeerResult | undefined;
      let ours: OursResult | undefined;
      for (let i = 0; i < args.repeat; i++) {
        if (args.repeat > 1) log(`${name}: run ${i + 1} of ${args.repeat}`);
        peer = bestPeer(peer, await runPeer(stage, name));
        if (withOurs) ours = bestOurs(ours, await runOurs(stage, name, args.unlabelled));
      }
      if (!peer) throw new Error('no run');
      const scorerAgrees: Record<string, boolean> = {};
      scorerAgrees.peer = (await crossCheck(stage, join(OUT, `${name}.peer.pred`), peer.score)).agree;
      if (ours) scorerAgrees.ours = (await crossCheck(stage, join(OUT, `${name}.ours.pred`), ours.score)).agree;
      log(`${name}: scorer check against tools/score.js: ${Object.entries(scorerAgrees).map(([k, v]) => `${k} ${v ? 'agree' : 'DISAGREE'}`).join(', ')}`);
      results.push({ dataset: name, peer, ours, scorerAgrees });
    }
  } finally {
    await rm(stage, { recursive: true, force: true });
  }

  const lines: string[] = [];
  if (withOurs) {
    lines.push(
      `| dataset | F1 ours | F1 peer | Δ | train s ours | train s peer | ratio | tag tok/s ours: new text (cold, same text) | tag tok/s peer: new text (cold, same text) | ratio new text (cold, same text) | peak RSS MB ours / peer | model MB | load ms | unlabelled docs |`,
      `|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`,
    );
    for (const r of results) {
      const o = r.ours as OursResult;
      const p = r.peer;
      lines.push(
        `| ${r.dataset} | ${bold(o.score.f1 >= p.score.f1, f(100 * o.score.f1, 2))} | ${bold(p.score.f1 > o.score.f1, f(100 * p.score.f1, 2))} | ${f(100 * (o.score.f1 - p.score.f1), 2)} | ${f(o.train.total_s, 2)} | ${f(p.train.total_s, 2)} | ${f(o.train.total_s / p.train.total_s, 2)}× | ${int(o.tag.newtext_tok_per_s)} (${int(o.tag.tok_per_s)}, ${int(o.tag.warm_tok_per_s)}) | ${int(p.passes.newtext_tok_per_s)} (${int(p.passes.cold_tok_per_s)}, ${int(p.passes.warm_tok_per_s)}) | ${f(o.tag.newtext_tok_per_s / p.passes.newtext_tok_per_s, 2)}× (${f(o.tag.tok_per_s / p.passes.cold_tok_per_s, 2)}×, ${f(o.tag.warm_tok_per_s / p.passes.warm_tok_per_s, 2)}×) | ${int(o.train.peak_rss_mb)} / ${int(p.trainPeakRssMb)} | ${f(o.train.model_bytes / 1e6, 2)} | ${f(o.tag.load_ms, 0)} | ${o.train.unlabelledDocuments} |`,
      );
    }
    lines.push(
      '',
      '| dataset | F1 ≥ peer + 2 | train ≤ 1.5× peer | tagging ≥ 3× peer, new text in a warm process | (first pass, cold) | load ≤ 300 ms | model ≤ 50 MB |',
      '|---|---|---|---|---|---|---|',
    );
    const mark = (ok: boolean) => (ok ? 'pass' : '**FAIL**');
    for (const r of results) {
      const o = r.ours as OursResult;
      const p = r.peer;
      lines.push(
        `| ${r.dataset} | ${mark(100 * (o.score.f1 - p.score.f1) >= BARS.f1Points)} | ${mark(o.train.total_s <= BARS.trainRatio * p.train.total_s)} | ${mark(o.tag.newtext_tok_per_s >= BARS.tagRatio * p.passes.newtext_tok_per_s)} | (${o.tag.tok_per_s >= BARS.tagRatio * p.passes.cold_tok_per_s ? 'pass' : 'fail'}) | ${mark(o.tag.load_ms <= BARS.loadMs)} | ${mark(o.train.model_bytes <= BARS.modelMb * 1e6)} |`,
      );
    }
  } else {
    lines.push('| dataset | P | R | F1 | train s (total) | train wall s (process) | tagging tok/s | peak RSS train MB | model MB |', '|---|---|---|---|---|---|---|---|---|');
    for (const { dataset, peer: p } of results) {
      lines.push(
        `| ${dataset} | ${f(100 * p.score.precision, 2)} | ${f(100 * p.score.recall, 2)} | **${f(100 * p.score.f1, 2)}** | ${f(p.train.total_s, 2)} | ${f(p.trainWallS, 2)} | ${int(p.tag.e2e_tok_per_s)} | ${int(p.trainPeakRssMb)} | ${f(p.train.model_bytes / 1e6, 2)} |`,
      );
    }
  }
  if (withOurs) {
    lines.push('', 'Confidence threshold (ours; entities kept when confidenceScore ≥ t): P / R / F1', '');
    const ts = (results[0].ours as OursResult).tag.curve.map((c) => c.threshold);
    lines.push(`| dataset | ${ts.map((t) => `t = ${t}`).join(' | ')} |`, `|---|${ts.map(() => '---').join('|')}|`);
    for (const r of results) {
      const c = (r.ours as OursResult).tag.curve;
      lines.push(`| ${r.dataset} | ${c.map((x) => `${f(100 * x.precision)} / ${f(100 * x.recall)} / ${f(100 * x.f1)}`).join(' | ')} |`);
    }
  }
  const table = lines.join('\n');
  process.stdout.write(`${table}\n`);
  const allAgree = results.every((r) => Object.values(r.scorerAgrees).every(Boolean));
  process.stdout.write(`\nspan scorer vs tools/score.js: ${allAgree ? 'identical P/R/F1 and counts on every pred file' : 'MISMATCH (see bench/out)'}\n`);

  const git = await run('git', ['describe', '--always', '--dirty'], { cwd: REPO }).then((r) => r.stdout.trim(), () => 'unknown');
  const record = {
    date: new Date().toISOString(),
    commit: git,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    data: DATA,
    unlabelled: args.unlabelled,
    repeat: args.repeat,
    bars: BARS,
    results,
    table,
  };
  const body = JSON.stringify(record, null, 1) + '\n';
  await writeFile(join(OUT, 'results.json'), body);
  await writeFile(join(OUT, `results-${record.date.replace(/[:.]/g, '-')}.json`), body);
  if (!allAgree) process.exitCode = 1;
}

await main();
