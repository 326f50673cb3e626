// Input loading for the `cner` command line: project + document folder, BIO files, entity lists, unlabelled texts.
import { readFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../../errors.js';
import { readAwsEntityList } from '../formats/aws-comprehend.js';
import { bioToDocuments, readBio } from '../formats/bio.js';
import { parseProjectFileText, toLabelledDocuments, type ProjectFile } from '../formats/project-file.js';
import type { GazetteerEntry, LabelledDocument } from '../types.js';

/** A user input error: the CLI prints `message` on one line and exits with code 2. */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

const stripBom = (s: string) => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);

/** Reads a UTF-8 text file; a missing or unreadable file is an InputError naming the flag and the path. */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return stripBom(await readFile(path, 'utf8'));
  } catch (cause) {
    throw textReadError(path, what, cause);
  }
}

/** The InputError of a text file that could not be read: the flag, the path and why. */
function textReadError(path: string, what: string, cause: unknown): InputError {
  const code = (cause as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (cause as Error).message;
  return new InputError(`${what} ${path}: ${why}`, { cause });
}

/**
 * `readTextFile` for the documents of a folder, synchronously: many small local files are read one after another
 * much faster than through the thread pool (140 documents: 3 ms instead of 25 ms here).
 */
function readDocumentText(path: string, what: string): string {
  try {
    return stripBom(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw textReadError(path, what, cause);
  }
}

export async function readBinaryFile(path: string, what: string): Promise<Uint8Array> {
  try {
    // a Buffer is a Uint8Array: no copy (a model reads its tables in place)
    return await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new InputError(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (cause as Error).message}`, { cause });
  }
}

/** Names of the `.txt` files directly in `dir`, sorted; a missing folder is an InputError. */
export async function listTextFiles(dir: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new InputError(`--docs ${dir}: not a directory`);
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.txt'))
      .map((e) => e.name)
      .sort();
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw new InputError(`--docs ${dir}: ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (cause as Error).message}`, { cause });
  }
}

/** Turns a DomainError from a format parser into an InputError whose single line names the file and field. */
function asInputError(e: unknown, file: string): never {
  if (e instanceof DomainError) {
    const first = e.errors[0];
    const more = e.errors.length > 1 ? ` (and ${e.errors.length - 1} more)` : '';
    const detail = first ? `${first.path}: ${first.message}${more}` : e.message;
    throw new InputError(`${file}: ${detail}`, { cause: e });
  }
  throw e;
}

export interface ProjectInput {
  project: ProjectFile;
  categories: string[];
  train: LabelledDocument[];
  test: LabelledDocument[];
  /** Texts of `.txt` files in the folder that are not documents of the project (in name order; see `unlabelledChars`). */
  unlabelled: string[];
}

/**
 * Reads an Azure project file and the texts of its documents from `docsDir` (by `location`). Any label that does not
 * fit its text, region or the project's categories, any overlapping label and any missing document text is an
 * InputError: a model trained or scored on a silently reduced project would mislead.
 */
export async function loadProject(
  projectPath: string,
  docsDir: string,
  opts: {
    /**
     * Unlabelled text wanted, given the Train documents (see the engine's `unlabelledCharsWanted`): files are read in
     * name order until what was read reaches it; the rest are never opened. Default: all of them.
     */
    unlabelledChars?: (train: LabelledDocument[]) => number;
  } = {},
): Promise<ProjectInput> {
  const raw = await readTextFile(projectPath, '--project');
  let project: ProjectFile;
  try {
    project = parseProjectFileText(raw);
  } catch (e) {
    asInputError(e, projectPath);
  }
  const files = new Set(await listTextFiles(docsDir));
  const texts = new Map<string, string>();
  // a document whose text cannot be read stays out of `texts`: toLabelledDocuments reports it as missing
  for (const d of project.assets.documents) {
    let text: string | undefined;
    try {
      text = readDocumentText(join(docsDir, d.location), '--docs');
    } catch {
      text = undefined;
    }
    if (text !== undefined) texts.set(d.location, text);
  }
  const r = toLabelledDocuments(project, texts);
  if (r.problems.length > 0) {
    const p = r.problems[0];
    const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more problems)` : '';
    throw new InputError(`${projectPath}: ${p.path} (${p.location}): ${p.reason}${more}`);
  }
  const locations = new Set(project.assets.documents.map((d) => d.location));
  const others = [...files].filter((f) => !locations.has(f));
  const wanted = opts.unlabelledChars ? opts.unlabelledChars(r.train) : Infinity;
  const unlabelled: string[] = [];
  let chars = 0;
  for (let i = 0; i < others.length && chars < wanted; i++) {
    const text = readDocumentText(join(docsDir, others[i]), '--docs');
    unlabelled.push(text);
    chars += text.length;
  }
  return {
    project,
    categories: project.assets.entities.map((e) => e.category),
    train: r.train,
    test: r.test,
    unlabelled,
  };
}

/** Reads a BIO file as documents of 10 sentences (tokens joined by spaces, sentences by newlines) and its categories. */
export async function loadBio(path: string, flag = '--bio'): Promise<{ docs: LabelledDocument[]; categories: string[] }> {
  const text = await readTextFile(path, flag);
  try {
    const { sentences } = readBio(text);
    if (sentences.length === 0) throw new InputError(`${path}: no sentences`);
    const categories = new Set<string>();
    for (const s of sentences) for (const t of s.tags) if (t !== 'O') categories.add(t.slice(2));
    return { docs: bioToDocuments(sentences), categories: [...categories].sort() };
  } catch (e) {
    asInputError(e, path);
  }
}

/** Reads the `.txt` files of a folder as unlabelled texts. */
export async function loadUnlabelled(dir: string): Promise<string[]> {
  return (await listTextFiles(dir)).map((f) => readDocumentText(join(dir, f), '--docs'));
}

/** Reads an entity list CSV (`Text, Type`); every type must be one of `categories`. */
export async function loadGazetteer(path: string, categories: readonly string[]): Promise<GazetteerEntry[]> {
  const text = await readTextFile(path, '--gazetteer');
  let entries: GazetteerEntry[];
  try {
    entries = readAwsEntityList(text);
  } catch (e) {
    asInputError(e, path);
  }
  const known = new Set(categories);
  const bad = entries.findIndex((e) => !known.has(e.category));
  if (bad >= 0) throw new InputError(`${path}: row ${bad + 2}: unknown category "${entries[bad].category}"`);
  return entries;
}
