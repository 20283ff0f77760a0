/**
 * Claims that keep two control-plane replicas from running steps of one scope at once. A step
 * (handling events, firing a timer, sequence control) reads executions, decides and commits; two
 * replicas doing that for one scope at once would take a queue slot twice or emit a task twice.
 *
 * A step names its scopes: a (project, service) pair when it touches one service's sequences (every
 * sequence belongs to one service, and its queue slots are per stage of that service), or a whole
 * project (`service` undefined) when it cannot tell. A whole-project claim excludes every claim in
 * that project; service claims of different services do not exclude each other, and nothing in
 * different projects does.
 *
 * Within one process the event processor already runs one step at a time, so the embedded default
 * {@link processClaims} claims nothing; store-postgres claims with advisory locks. Pending events and
 * timers a step handles are additionally checked when committing (a store throws
 * {@link ConflictError} for an event already processed or a timer already removed), so a replica
 * that raced another for the same pending work rolls back instead of doing it twice.
 */

/** What a step claims. */
export interface StepScope {
  project: string;
  /** Undefined: the whole project. */
  service?: string;
}

/** The claim port. */
export interface StepClaims {
  /** Whether several processes may run steps (the processor then also sweeps for work others left). */
  readonly shared: boolean;
  /** Runs `work` while holding the claims of `scopes`, waiting for other replicas that hold any. */
  hold<T>(scopes: readonly StepScope[], work: () => Promise<T>): Promise<T>;
}

/** One process: the event processor's own serialisation is the claim. */
export const processClaims: StepClaims = {
  shared: false,
  hold: (_scopes, work) => work(),
};

/** The scopes of some events: (project, service) of each, or the whole project where an event names no service. */
export function scopesOfEvents(events: ReadonlyArray<{ data?: unknown }>): StepScope[] {
  const scopes: StepScope[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    const data = (event.data ?? {}) as { project?: unknown; service?: unknown };
    if (typeof data.project !== 'string' || data.project === '') continue;
    const service = typeof data.service === 'string' && data.service !== '' ? data.service : undefined;
    const key = `${data.project}\n${service ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    scopes.push(service === undefined ? { project: data.project } : { project: data.project, service });
  }
  return scopes;
}
