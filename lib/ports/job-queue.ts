// Port: a work queue with at-least-once delivery (Service Bus in Azure, Azure Storage queue locally, memory in tests).

/** A message as handed to a consumer. */
export interface ReceivedMessage<T = unknown> {
  body: T;
  id: string;
  /** 1 on first delivery. */
  deliveryCount: number;
  /** Done: remove it from the queue. */
  complete(): Promise<void>;
  /** Failed transiently: make it visible again for another try. */
  abandon(): Promise<void>;
  /** Can never succeed: move it aside with the reason (dead-letter). */
  deadLetter(reason: string): Promise<void>;
}

/** A queue of JSON messages. */
export interface JobQueue {
  /** Enqueues one JSON-serialisable message. */
  send<T>(body: T): Promise<void>;
  /** Takes up to `max` messages, hidden from other consumers for `visibilitySeconds` until settled. */
  receive<T>(max: number, opts?: { visibilitySeconds?: number }): Promise<ReceivedMessage<T>[]>;
  /** Dead-lettered messages with their reasons (for diagnostics and tests). */
  deadLettered<T>(): Promise<Array<{ body: T; reason: string }>>;
}
