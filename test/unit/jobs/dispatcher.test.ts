import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryJobQueue } from '../../../lib/adapters/memory/memory-job-queue.js';
import { recordingLogger } from '../../../lib/app/logger.js';
import { memoryDeps } from '../../../lib/app/memory.js';
import { DomainError } from '../../../lib/errors.js';
import { defineJobHandler, dispatchJobMessage, drainJobQueue, jobsGet, jobsStart } from '../../../lib/jobs/index.js';

function setup() {
  const log = recordingLogger();
  const queue = new MemoryJobQueue({ maxDeliveryCount: 10 });
  const deps = memoryDeps({ log, queue });
  return { deps, log, queue };
}

describe('job dispatcher', () => {
  it('runs the handler registered for the message type and records running → succeeded with the result', async () => {
    const { deps } = setup();
    const seen: string[] = [];
    const handler = defineJobHandler({
      type: 'echo',
      message: z.object({ word: z.string() }),
      run: async (d, msg, ctx) => {
        seen.push(`${msg.word}:${(await jobsGet(d, msg.projectName, msg.jobId))?.status}:${ctx.deliveryCount}`);
        return { result: { echoed: msg.word }, warnings: [{ code: 'Note', message: 'fine' }] };
      },
    });
    const job = await jobsStart(deps, { type: 'echo', kind: 'echo', projectName: 'p', extra: { word: 'hi' } });
    expect(job.status).toBe('notStarted');
    expect(await drainJobQueue(deps, [handler])).toBe(1);
    expect(seen).toEqual(['hi:running:1']);
    const done = await jobsGet(deps, 'p', job.jobId);
    expect(done).toMatchObject({ status: 'succeeded', result: { echoed: 'hi' }, warnings: [{ code: 'Note' }], errors: [] });
  });

  it('fails the job and completes the message for an unknown type or invalid fields (no retry)', async () => {
    const { deps, log } = setup();
    const handler = defineJobHandler({ type: 'known', message: z.object({ n: z.number() }), run: async () => {} });
    const a = await jobsStart(deps, { type: 'unknown', kind: 'x', projectName: 'p' });
    const b = await jobsStart(deps, { type: 'known', kind: 'x', projectName: 'p', extra: { n: 'NaN' } });
    await deps.queue.send({ not: 'a job' });
    expect(await drainJobQueue(deps, [handler])).toBe(3);
    expect((await jobsGet(deps, 'p', a.jobId))?.status).toBe('failed');
    const bj = await jobsGet(deps, 'p', b.jobId);
    expect(bj?.status).toBe('failed');
    expect(bj?.errors[0].message).toContain('n:');
    expect(await deps.queue.receive(10)).toEqual([]);
    expect(await deps.queue.deadLettered()).toEqual([]);
    expect(log.entries.filter((e) => e.level === 'error')).toHaveLength(3);
  });

  it('fails without retry on a 4xx DomainError, naming it in the job errors', async () => {
    const { deps } = setup();
    let runs = 0;
    const handler = defineJobHandler({
      type: 't',
      message: z.object({}),
      run: async () => {
        runs += 1;
        throw new DomainError('VALIDATION_FAILED', 'bad project file', { target: 'metadata.projectKind' });
      },
    });
    const job = await jobsStart(deps, { type: 't', kind: 't', projectName: 'p' });
    await drainJobQueue(deps, [handler]);
    expect(runs).toBe(1);
    expect((await jobsGet(deps, 'p', job.jobId))?.errors).toEqual([
      { code: 'InvalidArgument', message: 'bad project file', target: 'metadata.projectKind' },
    ]);
  });

  it('retries transient failures, and after the last delivery fails the job and dead-letters', async () => {
    const { deps } = setup();
    let runs = 0;
    const flaky = defineJobHandler({
      type: 'flaky',
      message: z.object({ failTimes: z.number() }),
      run: async (_d, msg) => {
        runs += 1;
        if (runs <= msg.failTimes) throw new Error('socket hang up');
      },
    });
    const ok = await jobsStart(deps, { type: 'flaky', kind: 'f', projectName: 'p', extra: { failTimes: 2 } });
    await drainJobQueue(deps, [flaky], { maxDeliveries: 3 });
    expect(runs).toBe(3);
    expect((await jobsGet(deps, 'p', ok.jobId))?.status).toBe('succeeded');

    runs = 0;
    const bad = await jobsStart(deps, { type: 'flaky', kind: 'f', projectName: 'p', extra: { failTimes: 99 } });
    await drainJobQueue(deps, [flaky], { maxDeliveries: 3 });
    expect(runs).toBe(3);
    const failed = await jobsGet(deps, 'p', bad.jobId);
    expect(failed?.status).toBe('failed');
    expect(failed?.errors[0].message).not.toContain('socket');
    expect(await deps.queue.deadLettered()).toHaveLength(1);
  });

  it('completes a redelivered message of a finished job without running it again', async () => {
    const { deps } = setup();
    let runs = 0;
    const h = defineJobHandler({ type: 'once', message: z.object({}), run: async () => void (runs += 1) });
    const job = await jobsStart(deps, { type: 'once', kind: 'o', projectName: 'p' });
    const body = { type: 'once', jobId: job.jobId, projectName: 'p' };
    expect(await dispatchJobMessage(deps, [h], body, { deliveryCount: 1 })).toBe('complete');
    expect(await dispatchJobMessage(deps, [h], body, { deliveryCount: 2 })).toBe('complete');
    expect(runs).toBe(1);
  });
});

describe('jobsStart', () => {
  it('marks the job failed when its message cannot be queued, so it never waits forever', async () => {
    const deps = memoryDeps();
    deps.queue.send = async () => {
      throw new Error('queue down');
    };
    let id = '';
    deps.ids = { next: () => (id = 'job-1') };
    await expect(jobsStart(deps, { type: 't', kind: 't', projectName: 'p' })).rejects.toThrow('queue down');
    expect((await jobsGet(deps, 'p', id))?.status).toBe('failed');
  });

  it('records cancelled when a cancel was requested while the handler ran', async () => {
    const deps = memoryDeps();
    const h = defineJobHandler({
      type: 'slow',
      message: z.object({}),
      run: async (d, msg, ctx) => {
        await d.store.upsert('job', ctx.jobPartition, msg.jobId, { ...ctx.job, status: 'cancelling' });
      },
    });
    const job = await jobsStart(deps, { type: 'slow', kind: 's', projectName: 'p' });
    await drainJobQueue(deps, [h]);
    expect((await jobsGet(deps, 'p', job.jobId))?.status).toBe('cancelled');
  });
});
