/**
 * The UI's routes: every view has a path under `/bridge/` (Keptn's Bridge paths where Keptn has the
 * view), so a view can be bookmarked and reloaded (the server answers every `/bridge/…` path with
 * the app). Integrations and secrets belong to no project (`/bridge/integrations`,
 * `/bridge/secrets`); the other views are a project's.
 */

/** Where the app is served. */
export const BASE_PATH = '/bridge';

/** The filters of the sequence list (kept in the query string). */
export interface SequenceFilters {
  service?: string;
  stage?: string;
  name?: string;
  state?: string;
}

/** Which evaluations are shown (kept in the query string). */
export interface EvaluationScope {
  stage?: string;
  service?: string;
}

/** A view and what it shows. */
export type Route =
  | { view: 'projects' }
  | { view: 'environment'; project: string }
  | { view: 'sequences'; project: string; filters: SequenceFilters }
  | { view: 'sequence'; project: string; keptnContext: string }
  | { view: 'approvals'; project: string }
  | { view: 'evaluations'; project: string; scope: EvaluationScope }
  | { view: 'settings'; project: string }
  | { view: 'integrations' }
  | { view: 'secrets' }
  | { view: 'not-found'; path: string };

const FILTER_KEYS = ['service', 'stage', 'name', 'state'] as const;

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** The route of a location (`pathname` with the base, `search` with or without `?`). */
export function parseRoute(pathname: string, search = ''): Route {
  const rest = pathname.startsWith(BASE_PATH) ? pathname.slice(BASE_PATH.length) : undefined;
  if (rest === undefined) return { view: 'not-found', path: pathname };
  const parts = rest.split('/').filter((part) => part !== '');
  const decoded = parts.map(decode);
  if (decoded.some((part) => part === undefined)) return { view: 'not-found', path: pathname };
  const [first, project, section, id, ...more] = decoded as string[];
  if (first === undefined || (first === 'dashboard' && project === undefined)) return { view: 'projects' };
  if (first === 'integrations' && project === undefined) return { view: 'integrations' };
  if (first === 'secrets' && project === undefined) return { view: 'secrets' };
  if (first !== 'project' || project === undefined || more.length > 0) return { view: 'not-found', path: pathname };
  if (section === undefined) return id === undefined ? { view: 'environment', project } : { view: 'not-found', path: pathname };
  if (section === 'sequence' && id === undefined) {
    const params = new URLSearchParams(search);
    const filters: SequenceFilters = {};
    for (const key of FILTER_KEYS) {
      const value = params.get(key);
      if (value) filters[key] = value;
    }
    return { view: 'sequences', project, filters };
  }
  if (section === 'sequence' && id !== undefined) return { view: 'sequence', project, keptnContext: id };
  if (section === 'approval' && id === undefined) return { view: 'approvals', project };
  if (section === 'settings' && id === undefined) return { view: 'settings', project };
  if (section === 'evaluation' && id === undefined) {
    const params = new URLSearchParams(search);
    const scope: EvaluationScope = {};
    for (const key of ['stage', 'service'] as const) {
      const value = params.get(key);
      if (value) scope[key] = value;
    }
    return { view: 'evaluations', project, scope };
  }
  return { view: 'not-found', path: pathname };
}

/** The path (and query) of a route. */
export function routeHref(route: Route): string {
  const project = (name: string) => `${BASE_PATH}/project/${encodeURIComponent(name)}`;
  switch (route.view) {
    case 'projects':
      return `${BASE_PATH}/`;
    case 'environment':
      return project(route.project);
    case 'sequences': {
      const params = new URLSearchParams();
      for (const key of FILTER_KEYS) {
        const value = route.filters[key];
        if (value) params.set(key, value);
      }
      const search = params.toString();
      return `${project(route.project)}/sequence${search === '' ? '' : `?${search}`}`;
    }
    case 'sequence':
      return `${project(route.project)}/sequence/${encodeURIComponent(route.keptnContext)}`;
    case 'approvals':
      return `${project(route.project)}/approval`;
    case 'evaluations': {
      const params = new URLSearchParams();
      if (route.scope.stage) params.set('stage', route.scope.stage);
      if (route.scope.service) params.set('service', route.scope.service);
      const search = params.toString();
      return `${project(route.project)}/evaluation${search === '' ? '' : `?${search}`}`;
    }
    case 'settings':
      return `${project(route.project)}/settings`;
    case 'integrations':
      return `${BASE_PATH}/integrations`;
    case 'secrets':
      return `${BASE_PATH}/secrets`;
    case 'not-found':
      return route.path;
    default: {
      const unknown: never = route;
      throw new Error(`no path for ${JSON.stringify(unknown)}`);
    }
  }
}

/** The project a route is about, if any. */
export function projectOf(route: Route): string | undefined {
  return 'project' in route ? route.project : undefined;
}
