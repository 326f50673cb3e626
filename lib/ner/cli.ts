// The `cner` command line: train, evaluate and run NER models from Azure project files, document folders or BIO files.
import { randomBytes } from 'node:crypto';
import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DomainError } from '../errors.js';
import {
  InputError,
  listTextFiles,
  loadBio,
  loadGazetteer,
  loadProject,
  loadUnlabelled,
  readBinaryFile,
  readTextFile,
} from './cli/inputs.js';
import { evaluate } from './metrics.js';
import type { LabelledDocument, PredictedEntity, TrainOptions, TrainProgress, TrainResult } from './types.js';

/** A loaded model, as lib/ner/engine.ts provides it. */
export interface NerModel {
  readonly categories: string[];
  readonly formatVersion: string;
  predict(text: string): Promise<PredictedEntity[]>;
  release(): Promise<void>;
}

/** The engine the CLI drives (lib/ner/engine.ts); injectable so the CLI can be tested without training. */
export interface NerEngine {
  trainModel(docs: LabelledDocument[], opts: TrainOptions): Promise<TrainResult>;
  loadModel(onnx: Uint8Array): Promise<NerModel>;
  /** How much unlabelled text training can use (reading stops there). */
  unlabelledCharsWanted(labelled: readonly LabelledDocument[]): number;
}

/** Where the CLI reads and writes; the process streams in bin/cner.js, buffers in tests. */
export interface CliIo {
  readStdin(): Promise<string>;
  stdout(chunk: string): void;
  stderr(chunk: string): void;
  /** Progress redraws one line when stderr is a terminal, else prints a line per step. */
  stderrIsTty?: boolean;
}

// Imported on first use: `--help` and input errors never load onnxruntime, and tests inject a fake engine.
const loadDefaultEngine = async (): Promise<NerEngine> => import('./engine.js');

export const USAGE = `usage:
  cner train   (--project <project.json> --docs <dir> | --bio <train.bio> [--docs <unlabelled dir>])
               --out <model.onnx> [--seed N] [--gazetteer <entity-list.csv>]
  cner eval    --model <model.onnx> (--project <project.json> --docs <dir> | --bio <test.bio>) [--results <file.json>]
  cner predict --model <model.onnx> [--docs <dir> | --bio <file.bio>]   (default: text on stdin)`;

const path = z.string().min(1, 'must not be empty');
const Seed = z
  .string()
  .regex(/^\d+$/, 'must be a non-negative integer')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n) && n <= 0xffffffff, 'must be at most 4294967295');

const TrainArgs = z
  .object({
    project: path.optional(),
    docs: path.optional(),
    bio: path.optional(),
    out: path,
    seed: Seed.optional(),
    gazetteer: path.optional(),
  })
  .superRefine((a, ctx) => sourceRule(a, ctx, true));

const EvalArgs = z
  .object({ model: path, project: path.optional(), docs: path.optional(), bio: path.optional(), results: path.optional() })
  .superRefine((a, ctx) => sourceRule(a, ctx, false));

const PredictArgs = z
  .object({ model: path, docs: path.optional(), bio: path.optional() })
  .refine((a) => !(a.docs && a.bio), { message: 'give --docs or --bio, not both', path: ['bio'] });

/** Exactly one labelled source: `--project` with `--docs`, or `--bio` (train may add `--docs` of unlabelled text). */
function sourceRule(a: { project?: string; docs?: string; bio?: string }, ctx: z.RefinementCtx, docsWithBio: boolean) {
  if (a.project && a.bio) ctx.addIssue({ code: 'custom', path: ['bio'], message: 'give --project or --bio, not both' });
  else if (!a.project && !a.bio) ctx.addIssue({ code: 'custom', path: ['project'], message: 'is required (or --bio)' });
  else if (a.project && !a.docs) ctx.addIssue({ code: 'custom', path: ['docs'], message: 'is required with --project' });
  else if (a.bio && a.docs && !docsWithBio) ctx.addIssue({ code: 'custom', path: ['docs'], message: 'cannot be used with --bio' });
}

const COMMANDS = {
  train: { schema: TrainArgs, flags: ['project', 'docs', 'bio', 'out', 'seed', 'gazetteer'] },
  eval: { schema: EvalArgs, flags: ['model', 'project', 'docs', 'bio', 'results'] },
  predict: { schema: PredictArgs, flags: ['model', 'docs', 'bio'] },
} as const;

type Command = keyof typeof COMMANDS;

/** Parses `argv` of one command strictly (unknown or repeated flags, stray arguments are errors) and validates it. */
function parseCommand<C extends Command>(cmd: C, argv: string[]): z.infer<(typeof COMMANDS)[C]['schema']> {
  const spec = COMMANDS[cmd];
  let values: Record<string, unknown>;
  try {
    const r = parseArgs({
      args: argv,
      options: Object.fromEntries(spec.flags.map((f) => [f, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    });
    values = r.values;
  } catch (e) {
    throw new InputError(`${(e as Error).message.split('\n')[0]}`);
  }
  const r = spec.schema.safeParse(values);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(`--${String(i.path[0] ?? '')}: ${i.message === 'Invalid input: expected string, received undefined' ? 'is required' : i.message}`);
  }
  return r.data as z.infer<(typeof COMMANDS)[C]['schema']>;
}

/** Writes `data` to `target` through a temporary file in the same folder and a rename: never a half-written file. */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(resolve(target));
  try {
    if (!(await stat(dir)).isDirectory()) throw new InputError(`${target}: ${dir} is not a directory`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${target}: folder ${dir} does not exist`);
  }
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Checks up front that an output file can be created, so a long training run cannot fail at its very end. */
async function checkWritable(target: string): Promise<void> {
  const probe = `${resolve(target)}.probe-${process.pid}`;
  await writeFileAtomic(probe, '');
  await unlink(probe);
}

function progressPrinter(io: CliIo): (p: TrainProgress) => void {
  let lastKey = '';
  return (p) => {
    const pct = Math.floor(p.fraction * 100);
    const step = io.stderrIsTty ? pct : Math.floor(pct / 10) * 10;
    const key = `${p.phase}:${step}`;
    if (key === lastKey) return;
    lastKey = key;
    const line = `cner: ${p.phase} ${String(pct).padStart(3)}%${p.message ? ` ${p.message}` : ''}`;
    io.stderr(io.stderrIsTty ? `\r\x1b[2K${line}` : `${line}\n`);
  };
}

async function train(argv: string[], io: CliIo, engine: () => Promise<NerEngine>): Promise<void> {
  const a = parseCommand('train', argv);
  let docs: LabelledDocument[];
  let categories: string[];
  let unlabelledTexts: string[] = [];
  const e = await engine();
  if (a.project) {
    const p = await loadProject(a.project, a.docs as string, { unlabelledChars: (train) => e.unlabelledCharsWanted(train) });
    docs = p.train;
    categories = p.categories;
    unlabelledTexts = p.unlabelled;
    if (docs.length === 0) throw new InputError(`${a.project}: no document has "dataset": "Train"`);
  } else {
    const b = await loadBio(a.bio as string);
    docs = b.docs;
    categories = b.categories;
    if (a.docs) unlabelledTexts = await loadUnlabelled(a.docs);
  }
  if (categories.length === 0) throw new InputError('the project declares no entity category');
  const gazetteer = a.gazetteer ? await loadGazetteer(a.gazetteer, categories) : undefined;
  await checkWritable(a.out);

  const started = performance.now();
  const opts: TrainOptions = { categories, unlabelledTexts, onProgress: progressPrinter(io) };
  if (a.seed !== undefined) opts.seed = a.seed;
  if (gazetteer) opts.gazetteer = gazetteer;
  const result = await e.trainModel(docs, opts);
  if (io.stderrIsTty) io.stderr('\n');
  await writeFileAtomic(a.out, result.onnx);
  const seconds = (performance.now() - started) / 1000;
  io.stdout(
    JSON.stringify({
      documents: result.stats.documents,
      tokens: result.stats.tokens,
      seconds: Math.round(seconds * 100) / 100,
      boundarySplits: result.stats.boundarySplits,
      modelBytes: result.onnx.byteLength,
    }) + '\n',
  );
}

async function openModel(path: string, engine: () => Promise<NerEngine>): Promise<NerModel> {
  const bytes = await readBinaryFile(path, '--model');
  const { loadModel } = await engine();
  try {
    return await loadModel(bytes);
  } catch (cause) {
    throw new InputError(`--model ${path}: not a usable cner model (${(cause as Error).message.split('\n')[0]})`, { cause });
  }
}

async function predictAll(model: NerModel, docs: readonly LabelledDocument[]): Promise<Map<string, PredictedEntity[]>> {
  const out = new Map<string, PredictedEntity[]>();
  for (const d of docs) out.set(d.id, await model.predict(d.text));
  return out;
}

async function evalCommand(argv: string[], io: CliIo, engine: () => Promise<NerEngine>): Promise<void> {
  const a = parseCommand('eval', argv);
  let docs: LabelledDocument[];
  let categories: string[];
  if (a.project) {
    const p = await loadProject(a.project, a.docs as string);
    docs = p.test;
    categories = p.categories;
    if (docs.length === 0) throw new InputError(`${a.project}: no document has "dataset": "Test"`);
  } else {
    const b = await loadBio(a.bio as string);
    docs = b.docs;
    categories = b.categories;
  }
  if (a.results) await checkWritable(a.results);
  const model = await openModel(a.model, engine);
  try {
    const predicted = await predictAll(model, docs);
    const r = evaluate(docs, predicted, { categories: [...new Set([...categories, ...model.categories])] });
    if (a.results) await writeFileAtomic(a.results, JSON.stringify({ value: r.documents }, null, 1) + '\n');
    io.stdout(JSON.stringify(r.summary, null, 1) + '\n');
  } finally {
    await model.release();
  }
}

async function predict(argv: string[], io: CliIo, engine: () => Promise<NerEngine>): Promise<void> {
  const a = parseCommand('predict', argv);
  let docs: Array<{ id: string; text: string }> | undefined;
  if (a.docs) {
    docs = [];
    for (const f of await listTextFiles(a.docs)) docs.push({ id: f, text: await readTextFile(join(a.docs, f), '--docs') });
  } else if (a.bio) {
    docs = (await loadBio(a.bio)).docs;
  }
  const model = await openModel(a.model, engine);
  try {
    if (docs === undefined) {
      const entities = await model.predict(await io.readStdin());
      io.stdout(JSON.stringify({ entities }) + '\n');
      return;
    }
    for (const d of docs) io.stdout(JSON.stringify({ location: d.id, entities: await model.predict(d.text) }) + '\n');
  } finally {
    await model.release();
  }
}

/**
 * Runs one `cner` command. Returns the exit code: 0 on success, 2 for bad input (one line on stderr naming the file
 * or flag), 1 for an unexpected failure. Outputs are written only once complete.
 */
export async function runCli(argv: string[], io: CliIo, engine: () => Promise<NerEngine> = loadDefaultEngine): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    if (cmd === 'train') await train(rest, io, engine);
    else if (cmd === 'eval') await evalCommand(rest, io, engine);
    else if (cmd === 'predict') await predict(rest, io, engine);
    else throw new InputError(`unknown command "${cmd}" (expected train, eval or predict)`);
    return 0;
  } catch (e) {
    if (e instanceof InputError || (e instanceof DomainError && e.code === 'VALIDATION_FAILED')) {
      io.stderr(`cner ${cmd}: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    io.stderr(`cner ${cmd}: failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
