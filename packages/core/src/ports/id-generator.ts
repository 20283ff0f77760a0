import { randomUUID } from 'node:crypto';

/** Source of unique ids for the core; tests pass a deterministic one. */
export interface IdGenerator {
  /** A new unique id (a UUID in production). */
  newId(): string;
}

/** Random UUIDv4 ids. */
export const uuidGenerator: IdGenerator = { newId: () => randomUUID() };
