/**
 * The secrets use case behind Keptn's secret service paths (control-plane.md §8): create, update,
 * delete, list without values, the scopes, reading the values for a task (see
 * `task-secrets.ts`), and the key check and rotation at start.
 */
import { ErrorCode } from '../errors/error-codes.js';
import { ConflictError, InputError, NotFoundError, UnavailableError } from '../errors/errors.js';
import { isPlainObject } from '../sequence/merge-data.js';
import type { SecretStore } from '../ports/secret-store.js';
import type { SecretCipher } from './secret-cipher.js';
import { parseSecretInput, summaryOf, validateSecretName, validateSecretScope } from './secret.js';
import type { SecretInput, SecretSummary } from './secret.js';

/** Options of {@link createSecretService}. */
export interface SecretServiceOptions {
  store: SecretStore;
  cipher: SecretCipher;
  /** The scopes secrets may have (SHIPMATE_SECRET_SCOPES). */
  scopes: readonly string[];
}

/** A secret with its values (only for a task that may read it). */
export type RevealedSecret = SecretInput;

/** The secrets use case. */
export interface SecretService {
  /** Keptn's POST: 201 with the summary; `ERR_SECRET_EXISTS` when the name is taken. */
  create(body: unknown): Promise<SecretSummary>;
  /** Keptn's PUT: replaces the values; `ERR_SECRET_NOT_FOUND` when there is no such secret in that scope. */
  update(body: unknown): Promise<SecretSummary>;
  /** Keptn's DELETE; both parameters required. */
  remove(name: unknown, scope: unknown): Promise<void>;
  /** Keptn's GET: summaries, optionally of one name and/or scope. */
  list(name?: string, scope?: string): Promise<SecretSummary[]>;
  /** The configured scopes. */
  scopes(): string[];
  /** The values of the secret `name` in `scope`; `ERR_SECRET_NOT_FOUND` otherwise. Access is the caller's check. */
  reveal(name: string, scope: string): Promise<RevealedSecret>;
  /**
   * At start: fails with `ERR_SECRET_KEY` when a stored secret was sealed with a key the cipher
   * does not know, then re-seals secrets of the previous key with the current one (one
   * transaction). Returns how many were re-sealed.
   */
  rotateKeys(): Promise<number>;
}

/** The AES-GCM context of a secret's values: a sealed blob opens only as this secret. */
export function secretContext(name: string): string {
  return `secret:${name}`;
}

/** Wires the secrets use case. */
export function createSecretService(options: SecretServiceOptions): SecretService {
  const { store, cipher, scopes } = options;

  function sealed(input: SecretInput) {
    return { ...summaryOf(input), sealed: cipher.sealJson(input.data, secretContext(input.name)) };
  }

  async function notFound(name: string, scope: string): Promise<NotFoundError> {
    const other = await store.getSecret(name);
    const hint = other
      ? `it is in scope '${other.scope}'; use that scope`
      : 'create it with POST /api/secrets/v1/secret; list secrets with GET /api/secrets/v1/secret';
    return new NotFoundError(ErrorCode.secretNotFound, `secret '${name}' not found in scope '${scope}': ${hint}`);
  }

  return {
    async create(body) {
      const input = parseSecretInput(body, scopes);
      if (!(await store.insertSecret(sealed(input)))) {
        const existing = await store.getSecret(input.name);
        throw new ConflictError(
          ErrorCode.secretExists,
          `secret '${input.name}' exists already${existing ? ` in scope '${existing.scope}'` : ''}; change it with PUT /api/secrets/v1/secret or delete it first (names are unique across scopes)`,
        );
      }
      return summaryOf(input);
    },
    async update(body) {
      const input = parseSecretInput(body, scopes);
      if (!(await store.updateSecret(sealed(input)))) throw await notFound(input.name, input.scope);
      return summaryOf(input);
    },
    async remove(name, scope) {
      const validName = validateSecretName(name, "query parameter 'name'");
      if (scope === undefined || scope === '') {
        throw new InputError(
          ErrorCode.missingField,
          `query parameter 'scope' is missing; give the secret's scope: DELETE /api/secrets/v1/secret?name=${validName}&scope=keptn-default`,
        );
      }
      const validScope = validateSecretScope(scope, scopes, "query parameter 'scope'");
      if (!(await store.deleteSecret(validName, validScope))) throw await notFound(validName, validScope);
    },
    async list(name, scope) {
      return store.listSecrets({ ...(name ? { name } : {}), ...(scope ? { scope } : {}) });
    },
    scopes: () => [...scopes],
    async reveal(name, scope) {
      const secret = await store.getSecret(name);
      if (!secret || secret.scope !== scope) throw await notFound(name, scope);
      const data = cipher.openJson(secret.sealed, secretContext(name));
      if (!isPlainObject(data))
        throw new UnavailableError(ErrorCode.secretKey, `secret '${name}' holds no object of values; write it again with PUT`);
      return { name, scope, data: data as Record<string, string> };
    },
    async rotateKeys() {
      const unknown = (await store.secretKeyIds()).filter((id) => !cipher.knows(id));
      if (unknown.length > 0) {
        throw new UnavailableError(
          ErrorCode.secretKey,
          `stored secrets were encrypted with the key of id ${unknown.join(', ')}, but SHIPMATE_SECRET_KEY (or <data dir>/secret.key) has id ${cipher.keyId}: set SHIPMATE_SECRET_KEY to the key they were encrypted with, or, to rotate, set SHIPMATE_SECRET_KEY_PREVIOUS to that key (docs/secrets.md)`,
        );
      }
      return store.resealSecrets(cipher.keyId, (secret) =>
        cipher.seal(cipher.open(secret.sealed, secretContext(secret.name)), secretContext(secret.name)),
      );
    },
  };
}
