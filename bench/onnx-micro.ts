// Micro-benchmark of the ONNX emission model: file size, load time and emissions throughput per weight type.
// Usage: npx tsx bench/onnx-micro.ts [--quick] [--dtype float32,float16]
//        [--hit 0.7] [--tokens 300] [--dist zipf|uniform] [--hot] [--cases 18:5:30,…  (log2 buckets:labels:slots)]
//        npx tsx bench/onnx-micro.ts --cold-load   (model load time in fresh processes)
// Variants of one case are timed in interleaved rounds and the best round's median is kept, because the machine is
// shared: a neighbour's burst then hurts every variant alike instead of one.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEmissionModel, type EmissionModelSpec } from '../lib/ner/onnx/export.js';
import { EmissionSession, referenceEmissions } from '../lib/ner/onnx/session.js';
import { prng } from '../lib/ner/crf.js';

interface Case {
  logBuckets: number;
  labels: number;
  slots: number;
  tokens: number;
}

const CASES: Case[] = [
  { logBuckets: 20, labels: 5, slots: 60, tokens: 300 },
  { logBuckets: 17, labels: 69, slots: 60, tokens: 300 },
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function makeSpec(c: Case, rand: () => number, dtype: 'float32' | 'float16'): EmissionModelSpec {
  const B = 2 ** c.logBuckets;
  const L = c.labels;
  const fingerprints = new Int32Array(B);
  const rows = new Int32Array(B);
  // A trained table is about 45% full (cuckoo placement at load 0.45); its rows are stored dense.
  let R = 0;
  for (let b = 0; b < B; b++) {
    if (rand() < 0.55) continue;
    fingerprints[b] = ((rand() * 0xffffffff) | 0) || 1;
    rows[b] = R++;
  }
  const weights = Float32Array.from({ length: R * L }, () => (rand() - 0.5) * 2);
  const small = (k: number) => Float32Array.from({ length: k }, () => rand() - 0.5);
  return {
    numBuckets: B,
    numLabels: L,
    weights,
    fingerprints,
    rows,
    transitions: small(L * L),
    start: small(L),
    end: small(L),
    metadata: { labels: JSON.stringify(Array.from({ length: L }, (_, i) => `L${i}`)), formatVersion: '1' },
    weightsDtype: dtype,
  };
}

/**
 * Inputs drawn from a vocabulary of 500k features, each with its own two candidate buckets; `hit` of the real slots
 * carry the stored fingerprint of one candidate, ~10% of slots are padding. 'zipf' draws feature ranks with density
 * ∝ 1/rank as words and their n-grams roughly do; 'uniform' is the cache-hostile worst case. `batches` batches of
 * c.tokens tokens each: timed calls cycle through them, so the caches see new text as a tagger's would.
 */
function makeInputs(spec: EmissionModelSpec, c: Case, rand: () => number, hit: number, dist: string, batches: number) {
  const size = c.tokens * c.slots * batches;
  const b1 = new Int32Array(size);
  const b2 = new Int32Array(size);
  const fp = new Int32Array(size);
  const V = 500_000;
  const B = spec.numBuckets;
  const fb1 = Int32Array.from({ length: V }, () => Math.floor(rand() * B));
  const fb2 = Int32Array.from({ length: V }, () => Math.floor(rand() * B));
  for (let i = 0; i < size; i++) {
    if (rand() < 0.1) continue;
    const v = dist === 'zipf' ? Math.floor(Math.exp(rand() * Math.log(V))) - 1 : Math.floor(rand() * V);
    b1[i] = fb1[v];
    b2[i] = fb2[v];
    if (rand() < hit) fp[i] = spec.fingerprints[rand() < 0.5 ? b1[i] : b2[i]] || 7;
    else fp[i] = ((rand() * 0xffffffff) | 0) || 3;
  }
  return { b1, b2, fp };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Run {
  label: string;
  bytes: number;
  buildMs: number;
  loadMs: number[];
  session: EmissionSession;
  maxErr: number;
  rounds: number[];
  cpu: number[];
  call1: number[];
}

/** Median wall µs per call, and mean process CPU µs per call (all threads: ORT runs off the JS thread). */
async function timeCalls(fn: (call: number) => Promise<unknown>, calls: number): Promise<{ wall: number; cpu: number }> {
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: median(times) * 1000, cpu: (cpu.user + cpu.system) / calls };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const rounds = quick ? 3 : 7;
  const calls = quick ? 10 : 30;
  const hit = Number(arg('hit', '0.7'));
  const dist = arg('dist', 'zipf');
  const tokens = Number(arg('tokens', '300'));
  // --hot re-runs one batch (its rows stay cached: optimistic); default streams `calls` distinct batches.
  const batches = process.argv.includes('--hot') ? 1 : calls;
  const dtypes = arg('dtype', 'float32,float16').split(',') as Array<'float32' | 'float16'>;
  console.log(`node ${process.version}; ${dist} features, hit rate ${hit}, ${batches} distinct batches; ${rounds} rounds × ${calls} calls; µs/call = best round's median wall time, cpu µs = best round's mean process CPU time`);
  console.log('buckets  L  F    N  dtype   file MB build ms  load ms  µs/call cpu µs ns/token ns/slot  tokens/s µs(N=1)  maxErr');
  // --cases 18:5:30,20:5:60 → log2 buckets : labels : feature slots
  const cases = arg('cases', '')
    ? arg('cases', '')
        .split(',')
        .map((x) => x.split(':').map(Number))
        .map(([logBuckets, labels, slots]) => ({ logBuckets, labels, slots, tokens }))
    : CASES;
  for (const base of cases) {
    const c = { ...base, tokens };
    const runs: Run[] = [];
    let inputs: ReturnType<typeof makeInputs> | undefined;
    for (const dtype of dtypes) {
      const rand = prng(42);
      const spec = makeSpec(c, rand, dtype);
      const t0 = performance.now();
      const bytes = buildEmissionModel(spec);
      const buildMs = performance.now() - t0;
      const loadMs: number[] = [];
      let session: EmissionSession | undefined;
      for (let i = 0; i < 3; i++) {
        await session?.release();
        const t1 = performance.now();
        session = await EmissionSession.create(bytes);
        loadMs.push(performance.now() - t1);
      }
      inputs ??= makeInputs(spec, c, rand, hit, dist, batches);
      const { b1, b2, fp } = inputs;
      const out = await session!.emissions(b1, b2, fp, c.tokens, c.slots);
      const ref = referenceEmissions(spec, b1, b2, fp, c.tokens, c.slots);
      let maxErr = 0;
      for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(ref[i] - out[i]));
      runs.push({ label: dtype, bytes: bytes.length, buildMs, loadMs, session: session!, maxErr, rounds: [], cpu: [], call1: [] });
    }
    const { b1, b2, fp } = inputs!;
    for (let r = 0; r < rounds; r++) {
      for (const run of runs) {
        const batch = c.tokens * c.slots;
        const t = await timeCalls((i) => {
          const o = (i % batches) * batch;
          return run.session.emissions(b1.subarray(o), b2.subarray(o), fp.subarray(o), c.tokens, c.slots);
        }, calls);
        run.rounds.push(t.wall);
        run.cpu.push(t.cpu);
        run.call1.push((await timeCalls(() => run.session.emissions(b1, b2, fp, 1, c.slots), calls)).wall);
      }
    }
    for (const run of runs) {
      await run.session.release();
      const us = Math.min(...run.rounds);
      console.log(
        [
          `2^${c.logBuckets}`.padEnd(7),
          String(c.labels).padStart(2),
          String(c.slots).padStart(3),
          String(c.tokens).padStart(4),
          run.label.padEnd(7),
          (run.bytes / 2 ** 20).toFixed(1).padStart(8),
          run.buildMs.toFixed(0).padStart(8),
          run.loadMs.map((x) => x.toFixed(0)).join('/').padStart(8),
          us.toFixed(0).padStart(8),
          Math.min(...run.cpu).toFixed(0).padStart(6),
          ((us * 1000) / c.tokens).toFixed(0).padStart(8),
          ((us * 1000) / (c.tokens * c.slots)).toFixed(1).padStart(7),
          ((c.tokens / us) * 1e6).toFixed(0).padStart(9),
          Math.min(...run.call1).toFixed(0).padStart(7),
          run.maxErr.toExponential(1).padStart(8),
        ].join(' '),
      );
    }
  }
}

/** Child mode: read one model file and create a session, in a fresh process, as a cold start would. */
async function loadOnce(file: string): Promise<void> {
  const t0 = performance.now();
  const bytes = readFileSync(file);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const s = await EmissionSession.create(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  const cpu = process.cpuUsage(cpu0);
  const t2 = performance.now();
  await s.release();
  console.log(JSON.stringify({ readMs: t1 - t0, createMs: t2 - t1, createCpuMs: (cpu.user + cpu.system) / 1000 }));
}

/** Cold load: each model written to disk, then read and loaded by `loads` fresh processes; median reported. */
async function coldLoads(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-micro-'));
  const loads = 5;
  console.log(`\ncold load (fresh process: read file + EmissionSession.create), median of ${loads}`);
  console.log('buckets  L  dtype   file MB  read ms  create ms  create cpu ms');
  try {
    for (const c of CASES) {
      for (const dtype of ['float32', 'float16'] as const) {
        {
          const spec = makeSpec(c, prng(42), dtype);
          const file = join(dir, 'model.onnx');
          const bytes = buildEmissionModel(spec);
          writeFileSync(file, bytes);
          const reads: number[] = [];
          const creates: number[] = [];
          const cpus: number[] = [];
          for (let i = 0; i < loads; i++) {
            const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--load-once', file], {
              encoding: 'utf8',
            });
            if (child.status !== 0) throw new Error(`load child failed: ${child.stderr}`);
            const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
              readMs: number;
              createMs: number;
              createCpuMs: number;
            };
            reads.push(r.readMs);
            creates.push(r.createMs);
            cpus.push(r.createCpuMs);
          }
          console.log(
            [
              `2^${c.logBuckets}`.padEnd(7),
              String(c.labels).padStart(2),
              dtype.padEnd(7),
              (bytes.length / 2 ** 20).toFixed(1).padStart(8),
              median(reads).toFixed(0).padStart(8),
              median(creates).toFixed(0).padStart(10),
              median(cpus).toFixed(0).padStart(14),
            ].join(' '),
          );
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const loadFile = arg('load-once', '');
if (loadFile) await loadOnce(loadFile);
else if (process.argv.includes('--cold-load')) await coldLoads();
else await main();
