import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliIo, type NerEngine, type NerModel } from '../../../lib/ner/cli.js';
import type { LabelledDocument, PredictedEntity, TrainOptions } from '../../../lib/ner/types.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIX = join(ROOT, 'test/fixtures/ner-cli');
const BIN = join(ROOT, 'bin/cner.js');

/** A stand-in engine: the "model" is the list of labelled surface strings, found again by string search. */
function fakeEngine(calls: Array<{ docs: LabelledDocument[]; opts: TrainOptions }> = [], failTraining = false, unlabelledWanted = Infinity): NerEngine {
  return {
    unlabelledCharsWanted: () => unlabelledWanted,
    async trainModel(docs, opts) {
      calls.push({ docs, opts });
      opts.onProgress?.({ phase: 'train', fraction: 0.5 });
      if (failTraining) throw new Error('out of memory');
      const dict: Record<string, string> = {};
      for (const d of docs) for (const s of d.spans) dict[d.text.slice(s.offset, s.offset + s.length)] = s.category;
      const onnx = new TextEncoder().encode(JSON.stringify({ categories: opts.categories, dict }));
      return { onnx, stats: { documents: docs.length, tokens: 42, boundarySplits: 1, seconds: 0.1 } };
    },
    async loadModel(bytes): Promise<NerModel> {
      const m = JSON.parse(new TextDecoder().decode(bytes)) as { categories: string[]; dict: Record<string, string> };
      return {
        categories: m.categories,
        formatVersion: 'fake-1',
        async predict(text) {
          const out: PredictedEntity[] = [];
          for (const [surface, category] of Object.entries(m.dict)) {
            for (let i = text.indexOf(surface); i >= 0; i = text.indexOf(surface, i + 1)) {
              out.push({ text: surface, category, offset: i, length: surface.length, confidenceScore: 0.9 });
            }
          }
          return out.sort((a, b) => a.offset - b.offset);
        },
        async release() {},
      };
    },
  };
}

function bufferIo(stdin = ''): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    readStdin: async () => stdin,
    stdout: (s: string) => void (io.out += s),
    stderr: (s: string) => void (io.err += s),
  };
  return io;
}

function runBin(args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'cner-cli-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('cner train', () => {
  it('trains on the Train documents, passes the other .txt files as unlabelled text, prints a JSON summary', async () => {
    const calls: Array<{ docs: LabelledDocument[]; opts: TrainOptions }> = [];
    const io = bufferIo();
    const out = join(work, 'model.onnx');
    const code = await runCli(
      ['train', '--project', join(FIX, 'project.json'), '--docs', join(FIX, 'docs'), '--out', out, '--seed', '7',
        '--gazetteer', join(FIX, 'entity-list.csv')],
      io,
      async () => fakeEngine(calls),
    );
    expect(io.err).toContain('train');
    expect(code).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0].docs.map((d) => d.id)).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(calls[0].opts.categories).toEqual(['Person', 'City']);
    expect(calls[0].opts.seed).toBe(7);
    expect(calls[0].opts.unlabelledTexts).toEqual(['Unlabelled text about Berlin and Dave Brown.\n']);
    expect(calls[0].opts.gazetteer).toEqual([{ text: 'Berlin', category: 'City' }, { text: 'Dave Brown', category: 'Person' }]);
    const summary = JSON.parse(io.out);
    const bytes = await readFile(out);
    expect(summary).toEqual({ documents: 3, tokens: 42, seconds: expect.any(Number), boundarySplits: 1, modelBytes: bytes.length });
    expect(io.out.trim().split('\n')).toHaveLength(1);
    expect(await readdir(work)).toEqual(['model.onnx']);
  });

  it('reads unlabelled files in name order only until the engine has the text it can use', async () => {
    await cp(FIX, join(work, 'p'), { recursive: true });
    for (const [name, text] of [['u1.txt', 'aaaa'], ['u2.txt', 'bbbbbb'], ['u3.txt', 'cc']]) await writeFile(join(work, 'p/docs', name), text);
    const run = async (wanted: number) => {
      const calls: Array<{ docs: LabelledDocument[]; opts: TrainOptions }> = [];
      const code = await runCli(
        ['train', '--project', join(work, 'p/project.json'), '--docs', join(work, 'p/docs'), '--out', join(work, 'm.onnx')],
        bufferIo(),
        async () => fakeEngine(calls, false, wanted),
      );
      expect(code).toBe(0);
      return calls[0].opts.unlabelledTexts;
    };
    const all = ['Unlabelled text about Berlin and Dave Brown.\n', 'aaaa', 'bbbbbb', 'cc'];
    expect(await run(Infinity)).toEqual(all);
    expect(await run(0)).toEqual([]);
    // the file that reaches the amount is kept, the ones after it are not read
    expect(await run(all[0].length + 1)).toEqual(all.slice(0, 2));
    expect(await run(all[0].length + 4)).toEqual(all.slice(0, 2));
    expect(await run(all[0].length + 5)).toEqual(all.slice(0, 3));
  });

  it('trains from a BIO file, with every .txt of --docs as unlabelled text', async () => {
    const calls: Array<{ docs: LabelledDocument[]; opts: TrainOptions }> = [];
    const io = bufferIo();
    const code = await runCli(
      ['train', '--bio', join(FIX, 'train.bio'), '--docs', join(FIX, 'docs'), '--out', join(work, 'm.onnx')],
      io,
      async () => fakeEngine(calls),
    );
    expect(code).toBe(0);
    expect(calls[0].docs).toEqual([
      {
        id: 'doc_00001.txt',
        text: 'Alice Smith flew to Paris .\nBob Jones lives in London .',
        spans: [
          { offset: 0, length: 11, category: 'Person' },
          { offset: 20, length: 5, category: 'City' },
          { offset: 28, length: 9, category: 'Person' },
          { offset: 47, length: 6, category: 'City' },
        ],
      },
    ]);
    expect(calls[0].opts.categories).toEqual(['City', 'Person']);
    expect(calls[0].opts.unlabelledTexts).toHaveLength(5);
  });

  it('leaves no model file behind when training fails', async () => {
    const io = bufferIo();
    const code = await runCli(
      ['train', '--project', join(FIX, 'project.json'), '--docs', join(FIX, 'docs'), '--out', join(work, 'm.onnx')],
      io,
      async () => fakeEngine([], true),
    );
    expect(code).toBe(1);
    expect(io.err).toContain('out of memory');
    expect(io.out).toBe('');
    expect(await readdir(work)).toEqual([]);
  });
});

describe('cner eval and predict', () => {
  async function trainFake(engine: NerEngine): Promise<string> {
    const model = join(work, 'model.onnx');
    const io = bufferIo();
    const code = await runCli(['train', '--project', join(FIX, 'project.json'), '--docs', join(FIX, 'docs'), '--out', model], io, async () => engine);
    expect(code).toBe(0);
    return model;
  }

  it('eval prints the Azure evaluation summary of the Test documents and writes per-document results', async () => {
    const engine = fakeEngine();
    const model = await trainFake(engine);
    // The fake finds "Paris", "Rome", "Alice Smith" and "Carol King" in the test document: all exact.
    const io = bufferIo();
    const results = join(work, 'results.json');
    const code = await runCli(
      ['eval', '--model', model, '--project', join(FIX, 'project.json'), '--docs', join(FIX, 'docs'), '--results', results],
      io,
      async () => engine,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const s = JSON.parse(io.out);
    expect(s.projectKind).toBe('CustomEntityRecognition');
    expect(s.customEntityRecognitionEvaluation.microF1).toBe(1);
    expect(s.customEntityRecognitionEvaluation.entities.Person.truePositiveCount).toBe(2);
    expect(s.customEntityRecognitionEvaluation.confusionMatrix.City.City).toEqual({ normalizedValue: 100, rawValue: 2 });
    const docs = JSON.parse(await readFile(results, 'utf8')).value;
    expect(docs.map((d: { location: string }) => d.location)).toEqual(['t1.txt']);
    expect(docs[0].customEntityRecognitionResult.entities[0].expectedEntities).toHaveLength(4);
  });

  it('eval accepts a BIO test file (CRLF) and scores what the model misses', async () => {
    const engine = fakeEngine();
    const model = join(work, 'bio.onnx');
    expect(await runCli(['train', '--bio', join(FIX, 'train.bio'), '--out', model], bufferIo(), async () => engine)).toBe(0);
    const io = bufferIo();
    expect(await runCli(['eval', '--model', model, '--bio', join(FIX, 'test.bio')], io, async () => engine)).toBe(0);
    const e = JSON.parse(io.out).customEntityRecognitionEvaluation;
    // test.bio holds Carol King and Rome, neither in train.bio: nothing predicted.
    expect(e.entities.Person).toMatchObject({ truePositiveCount: 0, falseNegativeCount: 1, falsePositiveCount: 0 });
    expect(e.microRecall).toBe(0);
    expect(e.confusionMatrix.Person.$none.rawValue).toBe(1);
  });

  it('predict reads stdin, or every .txt of --docs (one JSON line each)', async () => {
    const engine = fakeEngine();
    const model = await trainFake(engine);
    const io = bufferIo('Bob Jones is in Rome.');
    expect(await runCli(['predict', '--model', model], io, async () => engine)).toBe(0);
    expect(JSON.parse(io.out)).toEqual({
      entities: [
        { text: 'Bob Jones', category: 'Person', offset: 0, length: 9, confidenceScore: 0.9 },
        { text: 'Rome', category: 'City', offset: 16, length: 4, confidenceScore: 0.9 },
      ],
    });
    const io2 = bufferIo();
    expect(await runCli(['predict', '--model', model, '--docs', join(FIX, 'docs')], io2, async () => engine)).toBe(0);
    const lines = io2.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.location)).toEqual(['a.txt', 'b.txt', 'c.txt', 'notes.txt', 't1.txt']);
    expect(lines[3].entities).toEqual([]);
  });
});

describe('cner as a process: bad input is one line on stderr and exit code 2', () => {
  it('prints usage with --help and exits 0', async () => {
    const r = await runBin(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cner train');
  });

  it.each([
    [['train', '--project', 'test/fixtures/ner-cli/project.json', '--docs', 'test/fixtures/ner-cli/docs', '--out', 'X', '--bogus', '1'], /Unknown option '--bogus'/],
    [['train', '--project', 'test/fixtures/ner-cli/missing.json', '--docs', 'test/fixtures/ner-cli/docs', '--out', 'X'], /--project .*missing\.json: no such file/],
    [['train', '--project', 'test/fixtures/ner-cli/project.json', '--out', 'X'], /--docs: is required with --project/],
    [['train', '--project', 'test/fixtures/ner-cli/project.json', '--docs', 'test/fixtures/ner-cli/docs', '--out', 'X', '--seed=abc'], /--seed: must be a non-negative integer/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['predict', '--model', 'test/fixtures/ner-cli/nope.onnx'], /--model .*nope\.onnx: no such file/],
  ])('%j', async (args, message) => {
    const r = await runBin(args.map((a) => (a === 'X' ? join(work, 'm.onnx') : a)));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(await readdir(work)).toEqual([]);
  });

  async function brokenProject(edit: (p: any) => void): Promise<string> {
    const p = JSON.parse(await readFile(join(FIX, 'project.json'), 'utf8'));
    edit(p);
    const file = join(work, 'project.json');
    await writeFile(file, JSON.stringify(p));
    return file;
  }

  it.each([
    ['a malformed project', (p: any) => (p.assets.projectKind = 'CustomSingleLabelClassification'), /assets\.projectKind: must be "CustomEntityRecognition"/],
    ['a bad dataset', (p: any) => (p.assets.documents[0].dataset = 'Validation'), /assets\.documents\[0\]\.dataset: must be "Train" or "Test"/],
    ['a label outside its text', (p: any) => (p.assets.documents[1].entities[0].labels[0].offset = 5000), /assets\.documents\[1\]\.entities\[0\]\.labels\[0\] \(b\.txt\): label 5000\.\.5009 ends beyond the text/],
    ['an unknown category', (p: any) => (p.assets.documents[0].entities[0].labels[1].category = 'Town'), /labels\[1\] \(a\.txt\): unknown category "Town"/],
    ['a missing document', (p: any) => (p.assets.documents[2].location = 'gone.txt'), /\(gone\.txt\): document text not found/],
  ])('%s', async (_name, edit, message) => {
    const project = await brokenProject(edit);
    const out = join(work, 'm.onnx');
    const r = await runBin(['train', '--project', project, '--docs', join(FIX, 'docs'), '--out', out]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects an output folder that does not exist before training', async () => {
    const r = await runBin(['train', '--bio', join(FIX, 'train.bio'), '--out', join(work, 'no/such/m.onnx')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
  });

  it('rejects a BIO file with a bad tag, naming the line', async () => {
    const bad = join(work, 'bad.bio');
    await writeFile(bad, 'Alice\tB-Person\nSmith\tX-Person\n');
    const r = await runBin(['train', '--bio', bad, '--out', join(work, 'm.onnx')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.bio: line 2: bad tag "X-Person"/);
  });
});

const hasEngine = existsSync(join(ROOT, 'lib/ner/engine.ts'));
describe.skipIf(!hasEngine)('cner with the real engine', () => {
  it('trains, evaluates and predicts end to end', async () => {
    const docs = join(work, 'docs');
    await cp(join(FIX, 'docs'), docs, { recursive: true });
    const model = join(work, 'model.onnx');
    const t = await runBin(['train', '--project', join(FIX, 'project.json'), '--docs', docs, '--out', model, '--seed', '3']);
    expect(t.stderr).not.toMatch(/failed/);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ documents: 3, modelBytes: expect.any(Number) });
    const e = await runBin(['eval', '--model', model, '--project', join(FIX, 'project.json'), '--docs', docs]);
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout).customEntityRecognitionEvaluation).toHaveProperty('microF1');
    const p = await runBin(['predict', '--model', model], 'Alice Smith flew to Paris.');
    expect(p.code).toBe(0);
    const { entities } = JSON.parse(p.stdout);
    for (const x of entities) expect('Alice Smith flew to Paris.'.slice(x.offset, x.offset + x.length)).toBe(x.text);
  });
});
