// StorageQueueJobQueue on Azurite: the wire format other consumers see (Functions queue trigger, poison queue).
import { randomUUID } from 'node:crypto';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageQueueJobQueue } from '../../lib/adapters/storage-queue/storage-queue-job-queue.js';
import { startAzurite, type TestAzurite } from '../support/emulators.js';

describe('StorageQueueJobQueue on Azurite', () => {
  let azurite: TestAzurite;
  let service: QueueServiceClient;
  beforeAll(async () => {
    azurite = await startAzurite();
    service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  const fresh = () => `q-${randomUUID().slice(0, 8)}`;
  const fromBase64 = (text: string) => JSON.parse(Buffer.from(text, 'base64').toString('utf8'));

  it('creates the queue and writes base64 JSON, as the Functions queue trigger expects', async () => {
    const name = fresh();
    const queue = new StorageQueueJobQueue(service.getQueueClient(name));
    await queue.send({ type: 'import', projectName: 'p1', jobId: 'j1', text: 'ünïcødé' });
    const peeked = await service.getQueueClient(name).peekMessages();
    expect(fromBase64(peeked.peekedMessageItems[0].messageText)).toEqual({
      type: 'import',
      projectName: 'p1',
      jobId: 'j1',
      text: 'ünïcødé',
    });
  });

  it('moves dead letters to <queue>-poison with the reason and the original body', async () => {
    const name = fresh();
    const queue = new StorageQueueJobQueue(service.getQueueClient(name));
    await queue.send({ job: 'bad' });
    const [m] = await queue.receive(1);
    await m.deadLetter('InvalidJob: missing projectName');
    const poison = await service.getQueueClient(`${name}-poison`).peekMessages();
    expect(fromBase64(poison.peekedMessageItems[0].messageText)).toMatchObject({
      deadLetter: { reason: 'InvalidJob: missing projectName', messageId: m.id, deliveryCount: 1 },
      body: { job: 'bad' },
    });
    expect((await service.getQueueClient(name).peekMessages()).peekedMessageItems).toEqual([]);
  });

  it('accepts plain-JSON messages and sends undecodable ones straight to the poison queue', async () => {
    const name = fresh();
    const queue = new StorageQueueJobQueue(service.getQueueClient(name));
    await queue.send({ warm: 'up' }); // creates the queues
    await (await queue.receive(1))[0].complete();
    await service.getQueueClient(name).sendMessage('{"type":"plain"}');
    await service.getQueueClient(name).sendMessage('not json at all');
    const got = await queue.receive(10);
    expect(got.map((m) => m.body)).toEqual([{ type: 'plain' }]);
    const dead = await queue.deadLettered();
    expect(dead).toEqual([{ body: 'not json at all', reason: 'MalformedMessage: body is not JSON' }]);
  });

  it('reads poison messages someone else put there (e.g. the Functions host) without a reason of ours', async () => {
    const name = fresh();
    const queue = new StorageQueueJobQueue(service.getQueueClient(name));
    await queue.deadLettered(); // creates the queues
    await service
      .getQueueClient(`${name}-poison`)
      .sendMessage(Buffer.from(JSON.stringify({ type: 'train' })).toString('base64'));
    expect(await queue.deadLettered()).toEqual([{ body: { type: 'train' }, reason: 'MaxDequeueCountExceeded' }]);
  });
});
