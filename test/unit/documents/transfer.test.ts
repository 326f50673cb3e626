import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../../lib/app/types.js';
import { EXPORTS_CONTAINER } from '../../../lib/documents/schemas.js';
import { documentsGet, documentsList, entityListGet, labelsAdd, projectStatistics, suggestionsGenerate } from '../../../lib/documents/service.js';
import { exportStart, importStart } from '../../../lib/documents/transfer.js';
import type { JobRecord } from '../../../lib/jobs/records.js';
import { counterIds, projectDeps, runJobs, utf8 } from './helpers.js';
import { memoryDeps } from '../../../lib/app/memory.js';

const BENCH = '/work/shared/bench';

async function job(deps: Deps, projectName: string, jobId: string): Promise<JobRecord> {
  await runJobs(deps);
  return (await deps.store.get<JobRecord>('job', projectName, jobId))!.value;
}

async function exported(deps: Deps, j: JobRecord): Promise<string> {
  const url = (j.result as { resultUrl: string }).resultUrl;
  const name = decodeURIComponent(url.slice(`memory://${EXPORTS_CONTAINER}/`.length));
  return new TextDecoder().decode((await deps.blobs.get(EXPORTS_CONTAINER, name))!.bytes);
}

/** Uploads a bench dataset's documents to its container the way a user would, then imports project.json. */
async function importBench(dataset: string) {
  const deps = memoryDeps({ ids: counterIds() });
  const file = JSON.parse(readFileSync(join(BENCH, dataset, 'project.json'), 'utf8'));
  const projectName = file.metadata.projectName as string;
  const container = file.metadata.storageInputContainerName as string;
  for (const name of readdirSync(join(BENCH, dataset, 'docs')))
    await deps.blobs.put(container, name, readFileSync(join(BENCH, dataset, 'docs', name)));
  const { jobId } = await importStart(deps, projectName, { format: 'azure', payload: readFileSync(join(BENCH, dataset, 'project.json')) });
  const j = await job(deps, projectName, jobId);
  return { deps, file, projectName, container, job: j };
}

type Lab = { category: string; offset: number; length: number };
const labelSet = (file: { assets: { documents: Array<{ location: string; dataset?: string; entities: Array<{ labels: Lab[] }> }> } }) =>
  Object.fromEntries(
    file.assets.documents.map((d) => [
      d.location,
      { dataset: d.dataset, labels: d.entities.flatMap((r) => r.labels.map((l) => `${l.offset}+${l.length}:${l.category}`)).sort() },
    ]),
  );

describe.each(['crossner_politics', 'wnut17', 'crossner_science', 'ncbi_disease'])('bench %s through blob uploads and :import', (dataset) => {
  it('imports everything, statistics match stats.json, export gives back the same entities and labels', async () => {
    const { deps, file, projectName, job: j } = await importBench(dataset);
    expect(j.status).toBe('succeeded');
    expect(j.errors).toEqual([]);
    expect(j.warnings).toEqual([]);

    const stats = JSON.parse(readFileSync(join(BENCH, dataset, 'stats.json'), 'utf8'));
    const s = await projectStatistics(deps, projectName);
    expect(s.documents.Train).toBe(stats.splits.train.docs);
    expect(s.documents.Test).toBe(stats.splits.test.docs);
    for (const [split, ds] of [['train', 'Train'], ['test', 'Test']] as const) {
      const mine = Object.fromEntries(Object.entries(s.entities).map(([c, e]) => [c, e.labels[ds]]).filter(([, n]) => n));
      expect(mine).toEqual(stats.splits[split].perLabel);
      expect(s.labels[ds]).toBe(stats.splits[split].entities);
    }

    const { jobId } = await exportStart(deps, projectName, { format: 'azure' });
    const ej = await job(deps, projectName, jobId);
    expect(ej.status).toBe('succeeded');
    const back = JSON.parse(await exported(deps, ej));
    expect(back.assets.entities).toEqual(file.assets.entities);
    expect(back.metadata).toMatchObject({ projectKind: 'CustomEntityRecognition', projectName, storageInputContainerName: file.metadata.storageInputContainerName });
    expect(labelSet(back)).toEqual(labelSet(file));
  });
});

describe('import problems are listed, never dropped silently', () => {
  it('a missing document is a job error, the rest imports; each label that does not fit is listed with document and reason', async () => {
    const deps = memoryDeps({ ids: counterIds() });
    await deps.blobs.put('loans', '01.txt', utf8('Alice lent Bob 5 dollars on 3 May.'));
    await deps.blobs.put('loans', '02.txt', utf8('Hi 😀 Carol'));
    const file = {
      'project-file-version': '2021-11-01-preview',
      metadata: { projectKind: 'customNamedEntityRecognition', storageInputContainerName: 'loans', projectName: 'Loans', language: 'en' },
      assets: {
        projectKind: 'customNamedEntityRecognition',
        entities: [{ category: 'Person' }, { category: 'Date' }],
        documents: [
          {
            location: '01.txt',
            dataset: 'Train',
            entities: [
              {
                regionOffset: 0,
                regionLength: 20,
                labels: [
                  { category: 'Person', offset: 0, length: 5 },
                  { category: 'Person', offset: 2, length: 5 },
                  { category: 'Date', offset: 28, length: 5 },
                ],
              },
            ],
          },
          { location: '02.txt', dataset: 'Test', entities: [{ regionOffset: 0, regionLength: 11, labels: [{ category: 'Person', offset: 4, length: 3 }, { category: 'Person', offset: 6, length: 5 }] }] },
          { location: 'missing.txt', dataset: 'Train', entities: [] },
        ],
      },
    };
    const { jobId } = await importStart(deps, 'Loans', { format: 'azure', payload: utf8(JSON.stringify(file)) });
    const j = await job(deps, 'Loans', jobId);
    expect(j.status).toBe('partiallyCompleted');
    expect(j.errors).toEqual([expect.objectContaining({ code: 'DocumentNotFound', target: 'missing.txt' })]);
    const rejected = (j.result as { rejectedLabels: Array<{ location: string; reason: string }> }).rejectedLabels;
    expect(rejected.map((r) => [r.location, r.reason])).toEqual([
      ['01.txt', expect.stringMatching(/overlaps/)],
      ['01.txt', expect.stringMatching(/outside its region/)],
      ['02.txt', expect.stringMatching(/surrogate pair/)],
    ]);
    expect(j.warnings).toHaveLength(3);
    expect((await documentsGet(deps, 'Loans', '01.txt')).document.labels).toEqual([expect.objectContaining({ offset: 0, length: 5 })]);
    expect((await documentsGet(deps, 'Loans', '02.txt')).document.labels).toEqual([expect.objectContaining({ offset: 6, length: 5 })]);
    // The imported region still bounds labels added later.
    await expect(labelsAdd(deps, 'Loans', '01.txt', { category: 'Date', offset: 28, length: 5 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/outside every labelled region/),
    });
  });

  it('fails the job naming the field when metadata.projectKind differs from assets.projectKind', async () => {
    const deps = memoryDeps({ ids: counterIds() });
    const file = { projectFileVersion: '2022-05-01', metadata: { projectKind: 'CustomEntityRecognition' }, assets: { projectKind: 'CustomSingleLabelClassification', entities: [], documents: [] } };
    const { jobId } = await importStart(deps, 'P', { format: 'azure', payload: utf8(JSON.stringify(file)) });
    const j = await job(deps, 'P', jobId);
    expect(j.status).toBe('failed');
    expect(j.errors[0].message).toMatch(/assets\.projectKind/);
    // The uploaded file is not kept once it can never import.
    expect(await deps.blobs.list('cner-imports')).toEqual([]);
  });
  it('refuses to create a project on a container another project owns; an existing project keeps its container', async () => {
    const { deps } = await projectDeps({ projectName: 'Owner', container: 'shared' });
    const file = (name: string, container: string) =>
      utf8(JSON.stringify({ projectFileVersion: '2022-05-01', metadata: { projectKind: 'CustomEntityRecognition', projectName: name, storageInputContainerName: container, language: 'en' }, assets: { projectKind: 'CustomEntityRecognition', entities: [], documents: [] } }));
    const a = await importStart(deps, 'Other', { format: 'azure', payload: file('Other', 'shared') });
    const ja = await job(deps, 'Other', a.jobId);
    expect(ja.status).toBe('failed');
    expect(ja.errors[0]).toMatchObject({ code: 'Conflict', message: expect.stringMatching(/already belongs to project 'Owner'/) });
    const b = await importStart(deps, 'Owner', { format: 'azure', payload: file('Owner', 'elsewhere') });
    const jb = await job(deps, 'Owner', b.jobId);
    expect(jb.status).toBe('succeeded');
    expect(jb.warnings).toEqual([expect.objectContaining({ code: 'ContainerKept' })]);
  });
});

describe('formats users bring', () => {
  it('BIO creates documents (10 sentences each) with labels; export as BIO gives back the same file', async () => {
    const { deps, projectName, container } = await projectDeps({ categories: [] });
    const bio = readFileSync(join(BENCH, 'wnut17', 'test.bio'), 'utf8');
    const { jobId } = await importStart(deps, projectName, { format: 'bio', payload: utf8(bio), dataset: 'Test', prefix: 'test' });
    const j = await job(deps, projectName, jobId);
    expect(j.status).toBe('succeeded');
    const docs = await documentsList(deps, projectName, { dataset: 'Test' });
    expect(docs).toHaveLength(129);
    expect(await deps.blobs.get(container, 'test_00001.txt')).toBeDefined();
    const stats = JSON.parse(readFileSync(join(BENCH, 'wnut17', 'stats.json'), 'utf8'));
    const s = await projectStatistics(deps, projectName);
    expect(Object.fromEntries(Object.entries(s.entities).map(([c, e]) => [c, e.labels.Test]))).toEqual(stats.splits.test.perLabel);
    const { jobId: ex } = await exportStart(deps, projectName, { format: 'bio' });
    const back = await exported(deps, await job(deps, projectName, ex));
    const norm = (t: string) => t.replace(/\r/g, '').trim().split(/\n\s*\n/).map((s) => s.trim());
    expect(norm(back)).toEqual(norm(bio));
  });

  it('AWS annotations CSV labels documents already in the container with Line-based offsets; entity lists drive suggestions', async () => {
    const { deps, projectName, container } = await projectDeps({ categories: ['Person'] });
    await deps.blobs.put(container, 'a.txt', utf8('First line.\nAlice met Bob.'));
    const csv = 'File,Line,Begin Offset,End Offset,Type\na.txt,1,0,5,Person\na.txt,1,10,13,Person\nb.txt,0,0,1,Person\na.txt,3,0,1,Person\n';
    const { jobId } = await importStart(deps, projectName, { format: 'aws-annotations', payload: utf8(csv) });
    const j = await job(deps, projectName, jobId);
    expect(j.errors).toEqual([expect.objectContaining({ code: 'DocumentNotFound', target: 'b.txt' })]);
    expect((j.result as { rejectedLabels: Array<{ reason: string }> }).rejectedLabels).toEqual([expect.objectContaining({ location: 'a.txt', reason: expect.stringMatching(/line 3 does not exist/) })]);
    const { document } = await documentsGet(deps, projectName, 'a.txt');
    expect(document.labels.map((l) => document.text.slice(l.offset, l.offset + l.length))).toEqual(['Alice', 'Bob']);

    const { jobId: ex } = await exportStart(deps, projectName, { format: 'aws-annotations' });
    expect(await exported(deps, await job(deps, projectName, ex))).toBe('File,Line,Begin Offset,End Offset,Type\na.txt,1,0,5,Person\na.txt,1,10,13,Person\n');

    const { jobId: exList } = await exportStart(deps, projectName, { format: 'aws-entity-list' });
    expect(await exported(deps, await job(deps, projectName, exList))).toBe('Text,Type\nAlice,Person\nBob,Person\n');

    await deps.blobs.put(container, 'c.txt', utf8('Contoso hired Carol.'));
    await runJobs(deps);
    const { jobId: el } = await importStart(deps, projectName, { format: 'aws-entity-list', payload: utf8('Text,Type\nContoso,Org\n"Carol",Person\n') });
    expect((await job(deps, projectName, el)).status).toBe('succeeded');
    expect(await entityListGet(deps, projectName)).toHaveLength(2);
    const { documentsIngestBlob } = await import('../../../lib/documents/ingest.js');
    await documentsIngestBlob(deps, { container, name: 'c.txt' });
    await suggestionsGenerate(deps, projectName, {});
    const c = (await documentsGet(deps, projectName, 'c.txt')).document;
    expect(c.suggestions.map((s) => [s.category, c.text.slice(s.offset, s.offset + s.length)])).toEqual([
      ['Org', 'Contoso'],
      ['Person', 'Carol'],
    ]);
    expect(c.labels).toEqual([]);
  });

  it('spaCy JSONL and Label Studio JSON (both code point offsets) create documents and round-trip, emoji included', async () => {
    const { deps, projectName } = await projectDeps({ categories: [] });
    const jsonl = '{"text":"😀 Alice met Bob","spans":[[2,7,"Person"],{"start":12,"end":15,"label":"Person"}],"meta":{"location":"s1.txt","dataset":"Train"}}\n';
    const { jobId } = await importStart(deps, projectName, { format: 'spacy-jsonl', payload: utf8(jsonl) });
    expect((await job(deps, projectName, jobId)).status).toBe('succeeded');
    const s1 = (await documentsGet(deps, projectName, 's1.txt')).document;
    expect(s1.labels.map((l) => s1.text.slice(l.offset, l.offset + l.length))).toEqual(['Alice', 'Bob']);
    expect(s1.dataset).toBe('Train');

    const ls = [{ id: 7, data: { text: 'Hi 😀 Carol' }, annotations: [{ result: [{ from_name: 'label', to_name: 'text', type: 'labels', value: { start: 6, end: 11, text: 'Carol', labels: ['Person'] } }] }] }];
    const { jobId: lj } = await importStart(deps, projectName, { format: 'label-studio', payload: utf8(JSON.stringify(ls)) });
    expect((await job(deps, projectName, lj)).status).toBe('succeeded');
    const t7 = (await documentsGet(deps, projectName, 'task_7.txt')).document;
    expect(t7.labels).toEqual([expect.objectContaining({ offset: 6, length: 5 })]);

    const { jobId: e1 } = await exportStart(deps, projectName, { format: 'spacy-jsonl', dataset: 'Train' });
    expect(await exported(deps, await job(deps, projectName, e1))).toBe(
      '{"text":"😀 Alice met Bob","spans":[{"start":2,"end":7,"label":"Person"},{"start":12,"end":15,"label":"Person"}],"meta":{"location":"s1.txt","dataset":"Train"}}\n',
    );
    const { jobId: e2 } = await exportStart(deps, projectName, { format: 'label-studio' });
    const back = JSON.parse(await exported(deps, await job(deps, projectName, e2)));
    expect(back.find((t: { data: { location: string } }) => t.data.location === 'task_7.txt').annotations[0].result[0].value).toEqual({ start: 5, end: 10, text: 'Carol', labels: ['Person'] });
  });
});
