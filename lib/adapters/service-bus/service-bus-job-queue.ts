// JobQueue on an Azure Service Bus queue (Azure): JSON bodies, peek-lock settlement, the queue's own dead-letter subqueue.
import { randomUUID } from 'node:crypto';
import type {
  ServiceBusClient,
  ServiceBusMessage,
  ServiceBusReceivedMessage,
  ServiceBusReceiver,
  ServiceBusSender,
} from '@azure/service-bus';
import type { JobQueue, ReceivedMessage } from '../../ports/job-queue.js';

/** The part of a ServiceBusSender this adapter uses (so tests can pass a small fake). */
export type JobSender = Pick<ServiceBusSender, 'sendMessages'>;
/** The part of a peek-lock ServiceBusReceiver this adapter uses. */
export type JobReceiver = Pick<
  ServiceBusReceiver,
  'receiveMessages' | 'completeMessage' | 'abandonMessage' | 'deadLetterMessage'
>;
/** The part of a dead-letter subqueue receiver `deadLettered()` uses. */
export type DeadLetterPeeker = Pick<ServiceBusReceiver, 'peekMessages' | 'close'>;

/** What the adapter talks to: a sender and a peek-lock receiver of one queue, and optionally its dead-letter reader. */
export interface ServiceBusQueueParts {
  sender: JobSender;
  receiver: JobReceiver;
  /** Opens a receiver on the dead-letter subqueue; without it `deadLettered()` returns []. */
  openDeadLetter?: () => DeadLetterPeeker;
}

/** Options of {@link ServiceBusJobQueue}. */
export interface ServiceBusJobQueueOptions {
  /** How long `receive` waits for the first message when the queue is empty (default 1000 ms). */
  maxWaitTimeInMs?: number;
  /** Message ids; default random UUIDs. */
  newId?: () => string;
}

// Service Bus caps the dead-letter reason/description properties; keep well under the limit.
const MAX_REASON = 1024;

/** Reads a message body as JSON whatever the producer sent: an object (SDK-decoded), a JSON string, or bytes. */
export function decodeServiceBusBody(body: unknown): unknown {
  if (body instanceof Uint8Array) body = Buffer.from(body).toString('utf8');
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  }
  return body;
}

/**
 * JobQueue on Service Bus. Lock duration and max delivery count are properties of the queue entity (set in infra),
 * so `visibilitySeconds` is ignored and the broker dead-letters on its own after MaxDeliveryCount. The SDK reports
 * AMQP's delivery count, which is 0 on first delivery; this adapter reports 1 like the port promises.
 */
export class ServiceBusJobQueue implements JobQueue {
  constructor(
    private readonly parts: ServiceBusQueueParts,
    private readonly opts: ServiceBusJobQueueOptions = {},
  ) {}

  /** Builds the parts from a client (created once by the composition root) and a queue name. */
  static fromClient(client: ServiceBusClient, queueName: string, opts: ServiceBusJobQueueOptions = {}): ServiceBusJobQueue {
    return new ServiceBusJobQueue(
      {
        sender: client.createSender(queueName),
        receiver: client.createReceiver(queueName, { receiveMode: 'peekLock' }),
        openDeadLetter: () => client.createReceiver(queueName, { subQueueType: 'deadLetter', receiveMode: 'peekLock' }),
      },
      opts,
    );
  }

  async send<T>(body: T): Promise<void> {
    const message: ServiceBusMessage = {
      body,
      contentType: 'application/json',
      messageId: (this.opts.newId ?? randomUUID)(),
    };
    await this.parts.sender.sendMessages(message);
  }

  async receive<T>(max: number): Promise<ReceivedMessage<T>[]> {
    const messages = await this.parts.receiver.receiveMessages(Math.max(1, Math.floor(max)), {
      maxWaitTimeInMs: this.opts.maxWaitTimeInMs ?? 1000,
    });
    return messages.map((m) => this.handle<T>(m));
  }

  private handle<T>(m: ServiceBusReceivedMessage): ReceivedMessage<T> {
    const { receiver } = this.parts;
    return {
      id: String(m.messageId ?? m.sequenceNumber ?? ''),
      body: decodeServiceBusBody(m.body) as T,
      deliveryCount: (m.deliveryCount ?? 0) + 1,
      complete: () => receiver.completeMessage(m),
      abandon: () => receiver.abandonMessage(m),
      deadLetter: (reason: string) =>
        receiver.deadLetterMessage(m, {
          deadLetterReason: reason.slice(0, MAX_REASON),
          deadLetterErrorDescription: reason.slice(0, MAX_REASON),
        }),
    };
  }

  /** Up to 100 messages of the dead-letter subqueue (peeked, not removed), with their reasons. */
  async deadLettered<T>(): Promise<Array<{ body: T; reason: string }>> {
    if (!this.parts.openDeadLetter) return [];
    const dlq = this.parts.openDeadLetter();
    try {
      const messages = await dlq.peekMessages(100);
      return messages.map((m) => ({
        body: decodeServiceBusBody(m.body) as T,
        reason: m.deadLetterReason ?? '',
      }));
    } finally {
      await dlq.close();
    }
  }
}
