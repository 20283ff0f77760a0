/**
 * Hosts on one machine for multi-cluster tests: each host a Linux network namespace (`ip netns`)
 * with `lo` up and one interface `eth0` on a shared subnet. The hosts are joined by a bridge that
 * lives in a namespace of its own, so the machine's own namespace gets no interface, address or
 * route. Names carry a random suffix, so parallel runs cannot collide. Needs root and iproute2.
 *
 * The test process stays in the machine's namespace; it reaches a host's port through a forwarder
 * run inside that host (a Unix socket in a temp dir, which every namespace sees, piped to the
 * port), like `kubectl port-forward`. {@link NetworkHosts.fetchTo} gives a fetch over it that
 * still speaks TLS to the host's address and verifies its certificate.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of {@link createNetworkHosts}. */
export interface NetworkHostsOptions {
  /** Host names, at most 10 characters each (the bridge-side interface is named after them). */
  readonly hosts: readonly string[];
  /** Start of the namespace names; a random suffix is added. @default 'shipmate' */
  readonly prefix?: string;
  /** The first three octets of the /24 the hosts share; host i gets `.i+1`. @default '10.77.0' */
  readonly subnet?: string;
}

/** One host: a network namespace with an address on the shared subnet. */
export interface NetworkHost {
  readonly name: string;
  /** The `ip netns` name. */
  readonly namespace: string;
  /** Its address on the subnet, e.g. `10.77.0.2`. */
  readonly address: string;
}

/** How {@link NetworkHosts.fetchTo} connects. */
export interface HostFetchOptions {
  /** The address to connect to inside the host, e.g. `127.0.0.1` for a port bound to its loopback. @default the host's address */
  readonly address?: string;
  /** CA certificates (PEM) trusted for `https://` URLs, instead of the system CAs. */
  readonly ca?: string | Buffer;
}

/** The hosts of one test run. */
export interface NetworkHosts {
  /** Every host, in the order given. */
  readonly all: readonly NetworkHost[];
  /** The host called `name`; throws naming the known hosts. */
  host(name: string): NetworkHost;
  /** The command prefix that runs a command inside the host: `['ip', 'netns', 'exec', <namespace>]` (it execs: signals reach the command). */
  prefix(name: string): readonly string[];
  /** Runs `command` inside the host (`ip netns exec`); the child is the command itself (signals reach it). */
  spawn(name: string, command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Sets the host's `eth0` down (cut off from every other host) or up again, from inside the host. */
  setLink(name: string, state: 'up' | 'down'): void;
  /**
   * A fetch that reaches `port` of the host: requests to any URL go to that port (at the host's
   * address, or `options.address`), connected from inside the host; `https://` URLs are verified
   * against `options.ca` and the URL's host name.
   */
  fetchTo(name: string, port: number, options?: HostFetchOptions): Promise<typeof fetch>;
  /** Kills every process left in the hosts and deletes the namespaces and temp files; safe to call twice. */
  destroy(): void;
}

/** Why network namespaces cannot be made here, or undefined when they can. */
export function networkNamespacesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0)
    return `network namespaces need root (running as uid ${process.getuid?.() ?? 'unknown'}): run the test as root, as CI does`;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `'ip netns' does not work here (${(error as Error).message.split('\n')[0] ?? ''}): install iproute2`;
  }
}

/** Creates the hosts and the bridge between them; on any failure, removes what it made and rethrows. */
export function createNetworkHosts(options: NetworkHostsOptions): NetworkHosts {
  const unavailable = networkNamespacesUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const invalid = options.hosts.find((name) => !/^[a-z][a-z0-9-]{0,9}$/.test(name));
  if (invalid !== undefined)
    throw new Error(`host name '${invalid}' is not valid: give 1 to 10 lower-case letters, digits or '-', starting with a letter`);
  const subnet = options.subnet ?? '10.77.0';
  const run = `${options.prefix ?? 'shipmate'}-${randomBytes(3).toString('hex')}`;
  const bridge = `${run}-net`;
  const all = options.hosts.map((name, index) => ({ name, namespace: `${run}-${name}`, address: `${subnet}.${index + 1}` }));
  const socketDir = mkdtempSync(join(tmpdir(), 'shipmate-netns-'));
  const children = new Set<ChildProcess>();
  let destroyed = false;

  const host = (name: string): NetworkHost => {
    const found = all.find((h) => h.name === name);
    if (!found) throw new Error(`no host '${name}': the hosts are ${all.map((h) => h.name).join(', ')}`);
    return found;
  };

  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const namespace of [...all.map((h) => h.namespace), bridge]) {
      // Processes started inside (by this run only: the names are this run's) would keep the namespace alive.
      for (const pid of ip(['netns', 'pids', namespace], true).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      ip(['netns', 'delete', namespace], true);
    }
    rmSync(socketDir, { recursive: true, force: true });
  };

  try {
    ip(['netns', 'add', bridge]);
    ip(['-n', bridge, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', bridge, 'link', 'set', 'br0', 'up']);
    for (const h of all) {
      ip(['netns', 'add', h.namespace]);
      ip(['-n', h.namespace, 'link', 'set', 'lo', 'up']);
      // Both ends are made inside namespaces: the machine's own namespace never sees them.
      ip(['-n', bridge, 'link', 'add', 'name', h.name, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.namespace]);
      ip(['-n', bridge, 'link', 'set', 'dev', h.name, 'master', 'br0', 'up']);
      ip(['-n', h.namespace, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
      ip(['-n', h.namespace, 'link', 'set', 'eth0', 'up']);
    }
  } catch (error) {
    destroy();
    throw error;
  }

  const spawnIn = (name: string, command: string, args: readonly string[], spawnOptions: SpawnOptions = {}): ChildProcess => {
    const child = spawn('ip', ['netns', 'exec', host(name).namespace, command, ...args], spawnOptions);
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };

  return {
    all,
    host,
    prefix: (name) => ['ip', 'netns', 'exec', host(name).namespace],
    spawn: spawnIn,
    setLink(name, state) {
      ip(['-n', host(name).namespace, 'link', 'set', 'eth0', state]);
    },
    async fetchTo(name, port, fetchOptions = {}) {
      const socketPath = join(socketDir, `${name}-${randomBytes(4).toString('hex')}.sock`);
      const address = fetchOptions.address ?? host(name).address;
      const forwarder = spawnIn(name, process.execPath, ['-e', FORWARDER, socketPath, address, String(port)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        forwarder.stdout?.once('data', () => resolve());
        forwarder.once('exit', (code) => reject(new Error(`the forwarder into ${name} exited with ${code}`)));
      });
      return fetchOverSocket(socketPath, fetchOptions);
    },
    destroy,
  };
}

/** Runs `ip`; with `tolerant`, failures return '' (teardown of what may not exist). */
function ip(args: readonly string[], tolerant = false): string {
  try {
    return execFileSync('ip', args, { stdio: 'pipe' }).toString();
  } catch (error) {
    if (tolerant) return '';
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0];
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}

/**
 * Runs inside a host: listens on the Unix socket argv[1] and pipes each connection to argv[2]:argv[3]
 * over the host's network; prints one line once listening.
 */
const FORWARDER = `
const net = require('node:net');
const [socketPath, host, port] = process.argv.slice(1);
net.createServer((client) => {
  const upstream = net.connect(Number(port), host);
  client.pipe(upstream).pipe(client);
  const close = () => { client.destroy(); upstream.destroy(); };
  client.on('error', close); upstream.on('error', close);
}).listen(socketPath, () => console.log('listening'));
`;

/** A fetch whose every connection goes through the Unix socket `socketPath` (HTTP or TLS on top, by the URL). */
function fetchOverSocket(socketPath: string, options: HostFetchOptions): typeof fetch {
  return (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const secure = url.protocol === 'https:';
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = typeof init.body === 'string' ? init.body : undefined;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise<Response>((resolve, reject) => {
      const request = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          socketPath,
          agent: false,
          ...(secure && options.ca !== undefined ? { ca: options.ca } : {}),
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const answer = Buffer.concat(chunks);
            const nullBody = [204, 304].includes(response.statusCode ?? 0);
            const responseHeaders = new Headers();
            for (const [key, value] of Object.entries(response.headers)) if (typeof value === 'string') responseHeaders.set(key, value);
            resolve(new Response(nullBody ? null : answer, { status: response.statusCode ?? 0, headers: responseHeaders }));
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  };
}
