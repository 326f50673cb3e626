import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const P = '/language/authoring/analyze-text/projects';
const V = 'api-version=2023-04-01';

/** `npm start` in a child process, with every port free and its stdout lines observable. */
class Child {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  private waiters: Array<{ test: (l: string) => boolean; resolve: (l: string) => void; from: number }> = [];
  private exited: Promise<number | null>;

  constructor(dataDir: string) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        PORT: '0',
        AZURITE_BLOB_PORT: '0',
        AZURITE_QUEUE_PORT: '0',
        COSMOS_PORT: '0',
        DATA_DIR: dataDir,
        API_KEYS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => !(w.test(line) && (w.resolve(line), true)));
    });
    this.proc.stderr!.resume();
  }

  /** Resolves with the first line (at index ≥ `from`) that passes `test`. */
  waitFor(test: (l: string) => boolean, from = 0): Promise<string> {
    const seen = this.lines.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ test, resolve, from });
      void this.exited.then((code) => reject(new Error(`child exited (${code}) before the line appeared:\n${this.lines.join('\n')}`)));
    });
  }

  async ready(): Promise<{ url: string; key: string }> {
    const url = (await this.waitFor((l) => /^\s+URL:\s+http/.test(l))).trim().split(/\s+/)[1];
    const key = (await this.waitFor((l) => /^\s+API key:/.test(l))).trim().split(/\s+/)[2];
    return { url, key };
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    this.proc.kill(signal);
    return this.exited;
  }
}

let dataDir: string;
const children: Child[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cner-kill-'));
});
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) await c.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start survives kill -9', () => {
  it('keeps projects and categories written before the last snapshot', async () => {
    const first = new Child(dataDir);
    children.push(first);
    const { url, key } = await first.ready();
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: { 'Ocp-Apim-Subscription-Key': key, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const project = (name: string) => ({ projectKind: 'CustomEntityRecognition', storageInputContainerName: name.toLowerCase(), language: 'en' });
    expect((await call('PATCH', `${P}/Loans?${V}`, project('Loans'))).status).toBe(201);
    expect((await call('PATCH', `${P}/Leases?${V}`, project('Leases'))).status).toBe(201);
    for (const cat of ['Date', 'LenderName']) expect((await call('PUT', `${P}/Loans/entities/${cat}?${V}`)).status).toBe(201);
    // A last write whose presence in a snapshot proves every earlier write is in it too.
    const mark = first.lines.length;
    expect((await call('PATCH', `${P}/Marker?${V}`, project('Marker'))).status).toBe(201);
    await first.waitFor((l) => /cosmos snapshot written .*items=3\b/.test(l), mark);

    const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
      first.proc.once('exit', (_code, sig) => resolve(sig));
      first.proc.kill('SIGKILL');
    });
    expect(signal).toBe('SIGKILL');

    const second = new Child(dataDir);
    children.push(second);
    const again = await second.ready();
    expect(again.key).toBe(key);
    const get = (path: string) => fetch(`${again.url}${path}`, { headers: { 'Ocp-Apim-Subscription-Key': again.key } }).then((r) => r.json());
    const list = await get(`${P}?${V}`);
    expect(list.value.map((p: { projectName: string }) => p.projectName)).toEqual(['Leases', 'Loans', 'Marker']);
    const entities = await get(`${P}/Loans/entities?${V}`);
    expect(entities.value).toEqual([{ category: 'Date' }, { category: 'LenderName' }]);
    expect(await second.kill('SIGTERM')).toBe(0);
    expect(second.lines).toContain('custom-ner stopped');
  }, 180_000);
});
