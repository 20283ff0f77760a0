/**
 * The form of `KEPTN_API_ENDPOINT`: `http(s)://<host>[:port][/<prefix>]/api`, as Keptn's distributor
 * requires it. The agent appends `/v1/...`, `/controlPlane/...` and so on itself, so the URL ends at
 * `/api`; a prefix before it (Keptn's `prefixPath`) is allowed.
 */

/** A usable API endpoint. */
export interface ApiEndpoint {
  /** The endpoint without a trailing slash, ending in `/api`. */
  readonly base: string;
  readonly secure: boolean;
  /** Host name or IP address, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
}

/** What is wrong with an endpoint, in the operator's terms. */
export interface ApiEndpointProblem {
  readonly cause: string;
  readonly fix: string;
}

/** Result of {@link parseApiEndpoint}. */
export type ApiEndpointParse = { readonly ok: true; readonly endpoint: ApiEndpoint } | ({ readonly ok: false } & ApiEndpointProblem);

/** Checks the form of an API endpoint; `name` is how the operator set it (variable or flag). */
export function parseApiEndpoint(raw: string, name = 'KEPTN_API_ENDPOINT'): ApiEndpointParse {
  const text = raw.trim();
  const problem = (cause: string, fix: string): ApiEndpointParse => ({ ok: false, cause, fix });
  if (text === '') {
    return problem(
      `${name} is not set`,
      `set ${name} to the control plane's API URL, e.g. https://cp.example.com/api (remote control plane mode: the execution plane reaches the control plane over HTTP)`,
    );
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return problem(
      `${name}='${text}' has no scheme`,
      `start it with https:// (or http:// when the control plane serves plain HTTP), e.g. https://${withApi(text.replace(/\/+$/, ''))}`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem(`${name}='${text}' is not a URL`, `give the control plane's API URL, e.g. https://cp.example.com/api`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return problem(
      `${name}='${text}' uses the scheme '${url.protocol.slice(0, -1)}'`,
      `use https:// (or http:// when the control plane serves plain HTTP)`,
    );
  }
  if (url.hostname === '')
    return problem(`${name}='${text}' has no host`, `give the control plane's host, e.g. https://cp.example.com/api`);
  if (url.search !== '' || url.hash !== '') {
    return problem(`${name}='${text}' has a query or fragment`, `remove everything after the path: ${name}=${url.origin}${url.pathname}`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  const segments = path.split('/').filter((segment) => segment !== '');
  const apiAt = segments.indexOf('api');
  if (segments.length >= 2 && segments.at(-1) === 'api' && segments.at(-2) === 'api') {
    const once = `${url.origin}/${segments.slice(0, -1).join('/')}`;
    return problem(
      `${name}='${text}' has /api twice (the hostname given already ended in /api, and /api was appended to it)`,
      `give the hostname without /api (Helm value remoteControlPlane.api.hostname is the host only; the chart appends /api): ${name}=${once}`,
    );
  }
  if (apiAt === -1) {
    return problem(`${name}='${text}' does not end with /api`, `${name} must end with /api, e.g. ${name}=${url.origin}${path}/api`);
  }
  if (apiAt !== segments.length - 1) {
    const cut = `${url.origin}/${segments.slice(0, apiAt + 1).join('/')}`;
    return problem(
      `${name}='${text}' continues after /api ('/${segments.slice(apiAt + 1).join('/')}')`,
      `end it at /api; the agent adds /v1/..., /controlPlane/... itself: ${name}=${cut}`,
    );
  }
  const secure = url.protocol === 'https:';
  return {
    ok: true,
    endpoint: Object.freeze({
      base: `${url.origin}${path}`,
      secure,
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    }),
  };
}

function withApi(hostAndPath: string): string {
  return hostAndPath.endsWith('/api') ? hostAndPath : `${hostAndPath}/api`;
}
