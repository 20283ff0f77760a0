/**
 * Root events: the earliest event of each context in each project (by time, then seq), marked
 * `events.root = 1` (migration 10) so that the datastore's `root=true` list reads the partial
 * index `events_roots` instead of probing every event of a project for an earlier one of its
 * context (as PostgreSQL does since its migration 0004). This module is the one place that
 * moves the mark.
 *
 * Inserting: an event is its context's root when no event of its context is earlier (a tie keeps
 * the one stored first); an earlier one arriving later takes the mark from the root. Deciding
 * takes one probe of `events_context_time`, so the store remembers, for recent contexts, a time
 * no earlier than their root's, and an event not earlier than that is not a root without a probe:
 * about one probe per context instead of one per event (each costs a seek, and a three-task
 * sequence stores eleven events).
 *
 * What is remembered comes only from committed writes ({@link EventRoots.settle}): a rolled-back
 * root must not make a later event skip its probe. Deleting a root hands the mark to the earliest
 * event left in its context ({@link EventRoots.deleteBefore}); since that can move a root later,
 * deletes drop what is remembered. The SQLite store is the only writer of its file (the data-dir
 * lock), so nothing else moves roots.
 */
import type Database from 'better-sqlite3';

/** How many contexts' root times are remembered; when full, all are forgotten and it fills again. */
const REMEMBERED_CONTEXTS = 4096;

type Seq = number | bigint;

interface EarliestRow {
  seq: Seq;
  time: string;
}

interface ContextRow {
  shkeptncontext: string;
  project: string | null;
}

/** Whether an event about to be stored is its context's root, and what that tells of the root's time. */
export interface RootDecision {
  readonly root: boolean;
  /** A time no earlier than the root's once the event is stored; undefined when already remembered. */
  readonly rootTime: string | undefined;
  /** The root the event takes the mark from (it is earlier than the context's earliest so far). */
  readonly displaces?: Seq;
}

const KNOWN_NOT_ROOT: RootDecision = { root: false, rootTime: undefined };

/** The root marks of one store's database. */
export interface EventRoots {
  /** Decides, in the write's transaction, whether an event about to be inserted is its context's root. */
  decide(project: string | null, context: string, time: string): RootDecision;
  /**
   * Called once the event was inserted (not for a duplicate id) with the decision's mark: takes the
   * mark from the context's former root when the new event is the root.
   */
  inserted(project: string | null, context: string, decision: RootDecision): void;
  /** Called after the write's transaction: what it learnt is remembered only if it committed. */
  settle(committed: boolean): void;
  /**
   * Deletes the processed events older than `time` (retention), handing each deleted root's mark
   * to the earliest event left in its context, in the caller's transaction. Returns the count.
   */
  deleteBefore(time: string): number;
  /** Drops what is remembered (after deleting events). */
  forget(): void;
}

export function createEventRoots(db: Database.Database): EventRoots {
  const s = {
    // INDEXED BY: a context has a few events, a project may have a hundred thousand roots, and
    // SQLite took events_roots (project) for a query like this one, a scan of them all.
    earliest: db.prepare<[string, string | null]>(
      'SELECT seq, time FROM events INDEXED BY events_context_time WHERE shkeptncontext = ? AND project IS ? ORDER BY time, seq LIMIT 1',
    ),
    unmark: db.prepare<[Seq]>('UPDATE events SET root = 0 WHERE seq = ?'),
    mark: db.prepare<[Seq]>('UPDATE events SET root = 1 WHERE seq = ?'),
    rootsBefore: db.prepare<[string]>('SELECT shkeptncontext, project FROM events WHERE root = 1 AND pending = 0 AND time < ?'),
    deleteBefore: db.prepare<[string]>('DELETE FROM events WHERE pending = 0 AND time < ?'),
  };
  /**
   * project ('' for none) → context → a time no earlier than the committed root's; when full, it
   * starts over. Keyed by the event's own strings, which cache their hash, not by a joined key,
   * hashed anew at each use: with a joined key and least-recently-used order, remembering took
   * 2.3 % of the main thread in bench (b), where every event starts a context; 0.5 % now.
   */
  const remembered = new Map<string, Map<string, string>>();
  let rememberedCount = 0;
  /** What the open transaction learnt: project, context, a time no earlier than the root's (flat). */
  let learnt: string[] = [];

  function forget(): void {
    remembered.clear();
    rememberedCount = 0;
  }

  function remember(project: string, context: string, time: string): void {
    let contexts = remembered.get(project);
    const known = contexts?.get(context);
    if (known !== undefined) {
      if (time < known) contexts!.set(context, time);
      return;
    }
    if (rememberedCount >= REMEMBERED_CONTEXTS) {
      forget();
      contexts = undefined;
    }
    if (!contexts) remembered.set(project, (contexts = new Map<string, string>()));
    contexts.set(context, time);
    rememberedCount++;
  }

  return {
    decide(project, context, time) {
      const known = remembered.get(project ?? '')?.get(context);
      if (known !== undefined && known <= time) return KNOWN_NOT_ROOT;
      const earliest = s.earliest.get(context, project) as EarliestRow | undefined;
      if (earliest === undefined) return { root: true, rootTime: time };
      // The earliest event so far is the root (the marks' invariant).
      if (time < earliest.time) return { root: true, rootTime: time, displaces: earliest.seq };
      return { root: false, rootTime: earliest.time };
    },

    inserted(project, context, decision) {
      if (decision.rootTime !== undefined) learnt.push(project ?? '', context, decision.rootTime);
      if (decision.displaces !== undefined) s.unmark.run(decision.displaces);
    },

    settle(committed) {
      if (committed) for (let i = 0; i < learnt.length; i += 3) remember(learnt[i]!, learnt[i + 1]!, learnt[i + 2]!);
      learnt = [];
    },

    deleteBefore(time) {
      const orphaned = s.rootsBefore.all(time) as ContextRow[];
      const deleted = s.deleteBefore.run(time).changes;
      for (const { shkeptncontext, project } of orphaned) {
        const heir = s.earliest.get(shkeptncontext, project) as EarliestRow | undefined;
        if (heir) s.mark.run(heir.seq);
      }
      forget();
      return deleted;
    },

    forget,
  };
}
