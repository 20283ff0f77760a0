/**
 * The upstream credentials of each project, sealed with the server's secret key (AES-256-GCM, the
 * cipher of the secrets API) in `<stateDir>/credentials/<project>.json`, mode 0600. The blob is bound
 * to the project name, so a file copied to another project does not open. A blob sealed with the
 * previous key (rotation) is re-sealed with the current one when it is loaded.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SealedBlob, SecretCipher, UpstreamCredentials } from '@shipmate/core';

interface SealedFile {
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

const context = (project: string) => `git-credentials:${project}`;

/** Stores and loads sealed upstream credentials. */
export class CredentialVault {
  private readonly dir: string;

  constructor(
    stateDir: string,
    private readonly cipher: SecretCipher,
  ) {
    this.dir = join(stateDir, 'credentials');
  }

  private file(project: string): string {
    return join(this.dir, `${project}.json`);
  }

  async save(project: string, credentials: UpstreamCredentials): Promise<void> {
    const blob = this.cipher.sealJson(credentials, context(project));
    const body: SealedFile = {
      keyId: blob.keyId,
      iv: Buffer.from(blob.iv).toString('base64'),
      tag: Buffer.from(blob.tag).toString('base64'),
      ciphertext: Buffer.from(blob.ciphertext).toString('base64'),
    };
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.file(project)}.tmp`;
    await writeFile(temporary, JSON.stringify(body), { mode: 0o600 });
    await rename(temporary, this.file(project));
  }

  async remove(project: string): Promise<void> {
    await rm(this.file(project), { force: true });
  }

  /** Every stored project with its credentials; re-seals blobs of the previous key. Throws ERR_SECRET_KEY for a blob no key opens. */
  async loadAll(): Promise<Map<string, UpstreamCredentials>> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    const loaded = new Map<string, UpstreamCredentials>();
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const project = name.slice(0, -'.json'.length);
      const body = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as SealedFile;
      const blob: SealedBlob = {
        keyId: body.keyId,
        iv: Buffer.from(body.iv, 'base64'),
        tag: Buffer.from(body.tag, 'base64'),
        ciphertext: Buffer.from(body.ciphertext, 'base64'),
      };
      const credentials = this.cipher.openJson(blob, context(project)) as UpstreamCredentials;
      if (blob.keyId !== this.cipher.keyId) await this.save(project, credentials);
      loaded.set(project, credentials);
    }
    return loaded;
  }
}
