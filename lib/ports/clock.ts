// Port: time and identifiers, injected so use cases stay deterministic in tests.

/** Wall-clock time. */
export interface Clock {
  now(): Date;
}

/** Fresh unique ids (job ids, label ids). */
export interface IdGenerator {
  next(): string;
}

export const systemClock: Clock = { now: () => new Date() };
export const randomIds: IdGenerator = { next: () => crypto.randomUUID() };
