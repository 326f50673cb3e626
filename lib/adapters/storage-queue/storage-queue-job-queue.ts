// JobQueue on an Azure Storage queue (the local stack on Azurite): base64 JSON bodies, dead letters in `<queue>-poison`.
import { QueueClient } from '@azure/storage-queue';
import type { Pipeline } from '@azure/storage-queue';
import type { JobQueue, ReceivedMessage } from '../../ports/job-queue.js';

/** What a dead-lettered message looks like in the poison queue. */
export interface PoisonEnvelope {
  deadLetter: { reason: string; messageId: string; deliveryCount: number; at: string };
  body: unknown;
}

/** Options of {@link StorageQueueJobQueue}. */
export interface StorageQueueJobQueueOptions {
  /** Deliveries after which a message goes to the poison queue on its next receive (default 5, like Functions). */
  maxDeliveryCount?: number;
  /** The dead-letter queue; default: `<queue>-poison` next to `queue`, reached through the same pipeline. */
  poison?: QueueClient;
  /** Receive visibility when the caller gives none (default 30 s). */
  defaultVisibilitySeconds?: number;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

function decode(text: string): unknown {
  // Base64 is what the Functions queue trigger expects; plain JSON is accepted too (e.g. sent from a portal).
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) return JSON.parse(trimmed);
  return JSON.parse(Buffer.from(trimmed, 'base64').toString('utf8'));
}

function poisonClientFor(queue: QueueClient): QueueClient {
  const url = new URL(queue.url);
  url.pathname = url.pathname.replace(/\/?$/, '').replace(/[^/]+$/, `${queue.name}-poison`);
  // The pipeline carries the queue client's credential and retry options.
  const pipeline = (queue as unknown as { pipeline: Pipeline }).pipeline;
  return new QueueClient(url.toString(), pipeline);
}

const isNotFound = (err: unknown) => (err as { statusCode?: number } | undefined)?.statusCode === 404;

/**
 * JobQueue on a storage QueueClient. Creates the queue (and its poison queue) on first use. `deliveryCount` is the
 * service's dequeueCount; `abandon` makes the message visible again at once; a message received more than
 * `maxDeliveryCount` times moves to the poison queue instead of being handed out.
 */
export class StorageQueueJobQueue implements JobQueue {
  private readonly poison: QueueClient;
  private ready?: Promise<void>;

  constructor(
    private readonly queue: QueueClient,
    private readonly opts: StorageQueueJobQueueOptions = {},
  ) {
    this.poison = opts.poison ?? poisonClientFor(queue);
  }

  private ensure(): Promise<void> {
    this.ready ??= Promise.all([this.queue.createIfNotExists(), this.poison.createIfNotExists()]).then(
      () => undefined,
      (err) => {
        this.ready = undefined;
        throw err;
      },
    );
    return this.ready;
  }

  async send<T>(body: T): Promise<void> {
    await this.ensure();
    await this.queue.sendMessage(encode(body));
  }

  async receive<T>(max: number, opts: { visibilitySeconds?: number } = {}): Promise<ReceivedMessage<T>[]> {
    await this.ensure();
    const visibilityTimeout = Math.max(1, Math.round(opts.visibilitySeconds ?? this.opts.defaultVisibilitySeconds ?? 30));
    const maxDeliveries = this.opts.maxDeliveryCount ?? 5;
    const res = await this.queue.receiveMessages({
      numberOfMessages: Math.min(32, Math.max(1, Math.floor(max))),
      visibilityTimeout,
    });
    const out: ReceivedMessage<T>[] = [];
    for (const m of res.receivedMessageItems) {
      let body: unknown;
      try {
        body = decode(m.messageText);
      } catch {
        await this.moveToPoison(m.messageId, m.popReceipt, m.messageText, 'MalformedMessage: body is not JSON', m.dequeueCount);
        continue;
      }
      if (m.dequeueCount > maxDeliveries) {
        await this.moveToPoison(m.messageId, m.popReceipt, body, `MaxDeliveryCountExceeded (${m.dequeueCount - 1})`, m.dequeueCount - 1);
        continue;
      }
      out.push(this.handle<T>(m.messageId, m.popReceipt, body, m.dequeueCount));
    }
    return out;
  }

  private handle<T>(messageId: string, popReceipt: string, body: unknown, deliveryCount: number): ReceivedMessage<T> {
    let receipt = popReceipt;
    return {
      id: messageId,
      body: body as T,
      deliveryCount,
      complete: async () => {
        try {
          await this.queue.deleteMessage(messageId, receipt);
        } catch (err) {
          if (!isNotFound(err)) throw err; // already gone (or settled elsewhere): nothing left to do
        }
      },
      abandon: async () => {
        try {
          const res = await this.queue.updateMessage(messageId, receipt, undefined, 0);
          if (res.popReceipt) receipt = res.popReceipt;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      },
      deadLetter: async (reason: string) => {
        await this.moveToPoison(messageId, receipt, body, reason, deliveryCount);
      },
    };
  }

  private async moveToPoison(
    messageId: string,
    popReceipt: string,
    body: unknown,
    reason: string,
    deliveryCount: number,
  ): Promise<void> {
    const envelope: PoisonEnvelope = {
      deadLetter: { reason, messageId, deliveryCount, at: new Date().toISOString() },
      body,
    };
    // Copy first, then delete: a crash in between leaves a duplicate, never a lost message. TTL -1: keep until read.
    await this.poison.sendMessage(encode(envelope), { messageTimeToLive: -1 });
    try {
      await this.queue.deleteMessage(messageId, popReceipt);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** The first 32 dead letters (a storage-queue peek limit), oldest first; for diagnostics and tests. */
  async deadLettered<T>(): Promise<Array<{ body: T; reason: string }>> {
    await this.ensure();
    const res = await this.poison.peekMessages({ numberOfMessages: 32 });
    return res.peekedMessageItems.map((m) => {
      let parsed: unknown;
      try {
        parsed = decode(m.messageText);
      } catch {
        return { body: m.messageText as T, reason: 'MalformedMessage' };
      }
      const env = parsed as Partial<PoisonEnvelope> | undefined;
      if (env && typeof env === 'object' && env.deadLetter && typeof env.deadLetter.reason === 'string')
        return { body: env.body as T, reason: env.deadLetter.reason };
      // Put there by someone else (e.g. the Functions host after maxDequeueCount): no reason recorded.
      return { body: parsed as T, reason: 'MaxDequeueCountExceeded' };
    });
  }
}
