/**
 * The created API tokens as the server uses them: every token hash in an in-memory map, loaded at
 * start and changed only through `create` and `revoke`, so that identifying a request's token is
 * one hash and one map lookup, never a store read. Revocation takes effect on the next request.
 * The last use is recorded in memory and written to the store at most once per `touchEveryMs`.
 * With several replicas, `onChanged` tells the others about a create or revoke, and they `load`
 * again (a revocation through one replica holds on every replica once its notice arrived).
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, ErrorCode, NotFoundError, keptnTime } from '@shipmate/core';
import type { ApiTokenInput, ApiTokenStore, ApiTokenSummary, Clock, IdGenerator, StoredApiToken } from '@shipmate/core';
import { hashToken } from './token-verifier.js';

/** What {@link createApiTokenRegistry} needs. */
export interface ApiTokenRegistryOptions {
  readonly store: ApiTokenStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** How often a token's last use is written to the store at most. @default 60000 */
  readonly touchEveryMs?: number;
  /** Called when writing a last use fails (the request goes on). */
  readonly onError?: (error: unknown) => void;
  /** Called after a token was created or revoked through this registry. */
  readonly onChanged?: () => void;
}

/** A created token, known by its hash. */
export interface KnownApiToken {
  readonly summary: ApiTokenSummary;
}

/** Created tokens: create, list, revoke, and identify a request's token. */
export interface ApiTokenRegistry {
  /** Reads the stored tokens into memory (at start, and when another replica changed them). */
  load(): Promise<void>;
  /** Creates a token; returns it (shown once) with its summary. */
  create(input: ApiTokenInput): Promise<{ token: string; summary: ApiTokenSummary }>;
  /** Every token's summary, oldest first. */
  list(): ApiTokenSummary[];
  /** Revokes the token with that id at once; its summary. */
  revoke(id: string): Promise<ApiTokenSummary>;
  /** The created token `token` is, revoked or not, or undefined. Records its use. */
  identify(token: string): ApiTokenSummary | undefined;
}

/** Creates the registry; call `load` before serving. */
export function createApiTokenRegistry(options: ApiTokenRegistryOptions): ApiTokenRegistry {
  const touchEveryMs = options.touchEveryMs ?? 60_000;
  const byHash = new Map<string, StoredApiToken>();
  const byId = new Map<string, StoredApiToken>();
  const lastWrittenMs = new Map<string, number>();

  function put(token: StoredApiToken): void {
    byHash.set(token.sha256, token);
    byId.set(token.id, token);
  }
  const summaryOf = ({ sha256: _hash, ...summary }: StoredApiToken): ApiTokenSummary => summary;

  return {
    async load() {
      for (const token of await options.store.listApiTokens()) put(token);
    },
    async create(input) {
      const token = `smp_${randomBytes(24).toString('base64url')}`;
      const stored: StoredApiToken = {
        id: options.ids.newId(),
        name: input.name,
        role: input.role,
        filters: input.filters,
        sha256: hashToken(token),
        createdAt: keptnTime(options.clock.nowMs()),
      };
      if (!(await options.store.insertApiToken(stored)))
        throw new ConflictError(
          ErrorCode.tokenExists,
          `a token named '${input.name}' exists (revoked ones keep their name); choose another name or list them with shipmate token list`,
        );
      put(stored);
      options.onChanged?.();
      return { token, summary: summaryOf(stored) };
    },
    list() {
      return [...byId.values()].map(summaryOf);
    },
    async revoke(id) {
      const known = byId.get(id);
      if (!known) throw new NotFoundError(ErrorCode.tokenNotFound, `no token with id '${id}'; shipmate token list shows the ids`);
      if (known.revokedAt !== undefined) return summaryOf(known);
      const revokedAt = keptnTime(options.clock.nowMs());
      await options.store.revokeApiToken(id, revokedAt);
      put({ ...known, revokedAt });
      options.onChanged?.();
      return summaryOf(byId.get(id) ?? known);
    },
    identify(token) {
      const known = byHash.get(hashToken(token));
      if (!known) return undefined;
      if (known.revokedAt !== undefined) return summaryOf(known);
      const nowMs = options.clock.nowMs();
      const lastUsedAt = keptnTime(nowMs);
      const used = { ...known, lastUsedAt };
      put(used);
      if (nowMs - (lastWrittenMs.get(known.id) ?? -Infinity) >= touchEveryMs) {
        lastWrittenMs.set(known.id, nowMs);
        options.store.touchApiToken(known.id, lastUsedAt).catch((error: unknown) => options.onError?.(error));
      }
      return summaryOf(used);
    },
  };
}
