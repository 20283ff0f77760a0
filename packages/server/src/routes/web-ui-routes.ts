/**
 * The web UI's files at `/bridge` (Keptn's path for its Bridge), without a token: the pages hold no
 * data, every API call they make sends the token the user pasted. `/` and `/bridge` redirect to
 * `/bridge/`. A path that names a file of the build gets it; hashed files under `assets/` are
 * cached for a year (a new build has new names), everything else is revalidated. Any other path
 * under `/bridge/` is a route of the single-page app and gets `index.html` (a missing `assets/`
 * file is a 404: a script answered with HTML helps no one). Without a build, a plain-text answer
 * says how to make one.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, posix, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PUBLIC_ROUTE } from '../auth/register-auth.js';

/** Where the UI lives (Keptn serves its Bridge there too). */
export const WEB_UI_PATH = '/bridge/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The pages load scripts, styles and images from this server only and call only its API; no other
 * site may frame them (the token is typed into them).
 */
const PAGE_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const HASHED_ASSET_CACHE = 'public, max-age=31536000, immutable';

/** The file of `webRoot` a request path names, or undefined when it would leave `webRoot`. */
export function webFileOf(webRoot: string, requestPath: string): string | undefined {
  if (requestPath.includes('\0') || requestPath.includes('\\')) return undefined;
  const normalized = posix.normalize(`/${requestPath}`);
  const root = resolve(webRoot);
  const file = join(root, normalized);
  return file === root || file.startsWith(`${root}${sep}`) ? file : undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function plainText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.status(status).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(`${text}\n`);
}

/** Registers `/`, `/bridge` and `/bridge/*`; `webRoot` is the built UI (undefined: no UI here). */
export function registerWebUiRoutes(app: FastifyInstance, webRoot: string | undefined): void {
  const options = { config: PUBLIC_ROUTE, schema: { hide: true } };
  app.get('/', options, async (_request, reply) => reply.redirect(WEB_UI_PATH, 302));
  app.get('/bridge', options, async (_request, reply) => reply.redirect(WEB_UI_PATH, 302));

  app.get<{ Params: { '*'?: string } }>('/bridge/*', options, async (request, reply) => {
    if (webRoot === undefined) {
      return plainText(
        reply,
        404,
        'This Shipmate server has no web UI: it was started without one (ServerOptions.webRoot). `shipmate server` serves the UI built in apps/web/dist; the API answers under /api.',
      );
    }
    const index = join(webRoot, 'index.html');
    if (!(await isFile(index))) {
      return plainText(
        reply,
        503,
        'The web UI is not built: apps/web/dist/index.html is missing. Build it with `npm run build` (or `npm run build -w apps/web`; `npm ci` does it too), then reload this page. The API answers under /api meanwhile.',
      );
    }
    const path = request.params['*'] ?? '';
    const file = path === '' ? index : webFileOf(webRoot, path);
    if (file === undefined) return plainText(reply, 404, `no file '${path}' in the web UI`);
    if (file !== index && (await isFile(file))) {
      const hashed = path.startsWith('assets/');
      return reply
        .status(200)
        .header('content-type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', hashed ? HASHED_ASSET_CACHE : 'no-cache')
        .send(await readFile(file));
    }
    if (path.startsWith('assets/')) {
      return plainText(reply, 404, `no file '${path}' in the web UI (was the UI rebuilt since this page loaded? reload it)`);
    }
    // A route of the single-page app (or the start page): the app decides what to show.
    return reply
      .status(200)
      .header('content-type', CONTENT_TYPES['.html'])
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .headers(PAGE_SECURITY_HEADERS)
      .send(await readFile(index));
  });
}
