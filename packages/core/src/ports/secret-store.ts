/**
 * The secret port (issue 4 point 4): secrets with their values sealed by a {@link SecretCipher}.
 * The store never sees a plain value. Names are unique across scopes. Adapters pass
 * `describeSecretStoreContract` in @shipmate/testing. Every method is one transaction.
 */
import type { SealedBlob } from '../secrets/secret-cipher.js';
import type { SecretSummary } from '../secrets/secret.js';

/** A secret as stored: its summary and its sealed values (a JSON object of strings). */
export interface StoredSecret extends SecretSummary {
  sealed: SealedBlob;
}

/** Filter of {@link SecretStore.listSecrets}. */
export interface SecretQuery {
  name?: string;
  scope?: string;
}

/** The secret port. */
export interface SecretStore {
  /** Adds the secret; false when a secret of that name exists (in any scope). */
  insertSecret(secret: StoredSecret): Promise<boolean>;
  /** Replaces keys and values of the secret with that name and scope; false when there is none. */
  updateSecret(secret: StoredSecret): Promise<boolean>;
  /** Deletes the secret with that name and scope; false when there is none. */
  deleteSecret(name: string, scope: string): Promise<boolean>;
  /** Summaries (never values) matching the filter, by name. */
  listSecrets(query: SecretQuery): Promise<SecretSummary[]>;
  /** The secret with that name, in whatever scope. */
  getSecret(name: string): Promise<StoredSecret | undefined>;
  /** The distinct key ids the stored secrets were sealed with. */
  secretKeyIds(): Promise<string[]>;
  /**
   * Key rotation: calls `reseal` (synchronously) for every secret sealed with a key id other than
   * `keepKeyId` and stores the blob it returns, all in one transaction; returns how many changed.
   * An exception from `reseal` rolls everything back.
   */
  resealSecrets(keepKeyId: string, reseal: (secret: StoredSecret) => SealedBlob): Promise<number>;
}
