// ServiceBusJobQueue against small fakes of the sender/receiver: message shape, settlement, dead-lettering.
import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import { describe, expect, it } from 'vitest';
import {
  type DeadLetterPeeker,
  type JobReceiver,
  type JobSender,
  ServiceBusJobQueue,
} from '../../../lib/adapters/service-bus/service-bus-job-queue.js';

/** An in-memory stand-in for one Service Bus queue, recording every call the adapter makes. */
function fakeBroker() {
  const sent: ServiceBusMessage[] = [];
  const settled: Array<{ op: string; messageId: unknown; options?: unknown }> = [];
  const dead: ServiceBusReceivedMessage[] = [];
  let available: ServiceBusReceivedMessage[] = [];
  const receiveCalls: Array<{ max: number; maxWaitTimeInMs?: number }> = [];
  let closedDeadLetterReceivers = 0;

  const sender: JobSender = {
    sendMessages: async (m) => {
      for (const one of Array.isArray(m) ? m : [m]) {
        const msg = one as ServiceBusMessage;
        sent.push(msg);
        // What the SDK hands a receiver: the JSON body decoded, delivery count 0 on first delivery (AMQP).
        available.push({ ...msg, deliveryCount: 0, body: structuredClone(msg.body) } as ServiceBusReceivedMessage);
      }
    },
  };
  const receiver: JobReceiver = {
    receiveMessages: async (max, options) => {
      receiveCalls.push({ max, maxWaitTimeInMs: options?.maxWaitTimeInMs });
      const out = available.slice(0, max);
      available = available.slice(max);
      return out;
    },
    completeMessage: async (m) => {
      settled.push({ op: 'complete', messageId: m.messageId });
    },
    abandonMessage: async (m) => {
      settled.push({ op: 'abandon', messageId: m.messageId });
      available.push({ ...m, deliveryCount: (m.deliveryCount ?? 0) + 1 } as ServiceBusReceivedMessage);
    },
    deadLetterMessage: async (m, options) => {
      settled.push({ op: 'deadLetter', messageId: m.messageId, options });
      const reason = (options as { deadLetterReason?: string } | undefined)?.deadLetterReason;
      dead.push({ ...m, deadLetterReason: reason } as ServiceBusReceivedMessage);
    },
  };
  const openDeadLetter = (): DeadLetterPeeker => ({
    peekMessages: async (max) => dead.slice(0, max),
    close: async () => {
      closedDeadLetterReceivers += 1;
    },
  });
  return {
    sender,
    receiver,
    openDeadLetter,
    sent,
    settled,
    receiveCalls,
    closedDeadLetterReceivers: () => closedDeadLetterReceivers,
  };
}

describe('ServiceBusJobQueue', () => {
  it('sends JSON bodies with content type application/json and a fresh message id', async () => {
    const broker = fakeBroker();
    let n = 0;
    const queue = new ServiceBusJobQueue(broker, { newId: () => `id-${++n}` });
    await queue.send({ type: 'project-delete', projectName: 'p1', jobId: 'j1' });
    await queue.send({ type: 'export', projectName: 'p2', jobId: 'j2' });
    expect(broker.sent).toEqual([
      { body: { type: 'project-delete', projectName: 'p1', jobId: 'j1' }, contentType: 'application/json', messageId: 'id-1' },
      { body: { type: 'export', projectName: 'p2', jobId: 'j2' }, contentType: 'application/json', messageId: 'id-2' },
    ]);
  });

  it('uses random message ids by default', async () => {
    const broker = fakeBroker();
    const queue = new ServiceBusJobQueue(broker);
    await queue.send({ a: 1 });
    await queue.send({ a: 2 });
    const [a, b] = broker.sent.map((m) => m.messageId);
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  it('receives up to max messages, waiting briefly, reporting the first delivery as 1', async () => {
    const broker = fakeBroker();
    const queue = new ServiceBusJobQueue(broker, { maxWaitTimeInMs: 250 });
    for (const i of [1, 2, 3]) await queue.send({ i });
    const got = await queue.receive<{ i: number }>(2);
    expect(got.map((m) => [m.body.i, m.deliveryCount])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(got[0].id).toBe(broker.sent[0].messageId);
    expect(broker.receiveCalls).toEqual([{ max: 2, maxWaitTimeInMs: 250 }]);
  });

  it('decodes bodies other producers sent as JSON text or bytes', async () => {
    const broker = fakeBroker();
    const queue = new ServiceBusJobQueue(broker);
    await broker.sender.sendMessages({ body: '{"type":"x"}', messageId: 'a' });
    await broker.sender.sendMessages({ body: new TextEncoder().encode('{"type":"y"}'), messageId: 'b' });
    const got = await queue.receive(10);
    expect(got.map((m) => m.body)).toEqual([{ type: 'x' }, { type: 'y' }]);
  });

  it('completes and abandons through the receiver; an abandoned message comes back with deliveryCount 2', async () => {
    const broker = fakeBroker();
    const queue = new ServiceBusJobQueue(broker, { newId: () => 'm1' });
    await queue.send({ job: 1 });
    const [m] = await queue.receive(1);
    await m.abandon();
    const [again] = await queue.receive(1);
    expect(again.deliveryCount).toBe(2);
    await again.complete();
    expect(broker.settled).toEqual([
      { op: 'abandon', messageId: 'm1' },
      { op: 'complete', messageId: 'm1' },
    ]);
    expect(await queue.receive(1)).toEqual([]);
  });

  it('dead-letters with the reason and lists dead letters from the dead-letter subqueue', async () => {
    const broker = fakeBroker();
    const queue = new ServiceBusJobQueue(broker, { newId: () => 'm1' });
    await queue.send({ job: 'bad' });
    const [m] = await queue.receive(1);
    await m.deadLetter('InvalidJob: unknown type');
    expect(broker.settled).toEqual([
      {
        op: 'deadLetter',
        messageId: 'm1',
        options: { deadLetterReason: 'InvalidJob: unknown type', deadLetterErrorDescription: 'InvalidJob: unknown type' },
      },
    ]);
    expect(await queue.deadLettered()).toEqual([{ body: { job: 'bad' }, reason: 'InvalidJob: unknown type' }]);
    expect(broker.closedDeadLetterReceivers()).toBe(1);
  });

  it('truncates very long dead-letter reasons to what Service Bus accepts', async () => {
    const broker = fakeBroker();
    const queue = new ServiceBusJobQueue(broker);
    await queue.send({});
    const [m] = await queue.receive(1);
    await m.deadLetter('x'.repeat(5000));
    const options = broker.settled[0].options as { deadLetterReason: string };
    expect(options.deadLetterReason).toHaveLength(1024);
  });

  it('reports no dead letters when it has no dead-letter reader', async () => {
    const broker = fakeBroker();
    const queue = new ServiceBusJobQueue({ sender: broker.sender, receiver: broker.receiver });
    expect(await queue.deadLettered()).toEqual([]);
  });
});
