/**
 * The API token port (issue 12 point 4): created tokens, kept as SHA-256 hashes, with their role,
 * filters, revocation and last use. Names are unique. Adapters pass `describeApiTokenStoreContract`
 * in @shipmate/testing. Every method is one transaction.
 */
import type { StoredApiToken } from '../tokens/api-token.js';

/** The API token port. */
export interface ApiTokenStore {
  /** Adds the token; false when a token of that name exists (revoked ones included). */
  insertApiToken(token: StoredApiToken): Promise<boolean>;
  /** Every token, revoked ones included, oldest first. */
  listApiTokens(): Promise<StoredApiToken[]>;
  /** Marks the token revoked at `revokedAt`; false when there is no such id or it was revoked already. */
  revokeApiToken(id: string, revokedAt: string): Promise<boolean>;
  /** Records the last use of the token (a later time only). */
  touchApiToken(id: string, lastUsedAt: string): Promise<void>;
}
