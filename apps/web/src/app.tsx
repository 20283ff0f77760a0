/**
 * The app: the login until a token is accepted, then the shell (header with the live status and
 * log out, the project's navigation) around the view of the current route.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createShipmateApi } from './api/shipmate-api';
import { LoginForm } from './auth/login-form';
import { clearSessionToken, readSessionToken, saveSessionToken } from './auth/session-token';
import { LiveUpdatesProvider, useLiveStatus } from './live/live-updates';
import { Link, useRoute } from './routing/navigation';
import { projectOf, routeHref } from './routing/route';
import type { Route } from './routing/route';
import { SessionContext, useSession } from './session/session';
import type { Session } from './session/session';
import { ApprovalsView } from './views/approvals-view';
import { EnvironmentView } from './views/environment-view';
import { EvaluationsView } from './views/evaluations-view';
import { IntegrationsView } from './views/integrations-view';
import { ProjectsView } from './views/projects-view';
import { SequenceView } from './views/sequence-view';
import { SecretsView } from './views/secrets-view';
import { SequencesView } from './views/sequences-view';
import { SettingsView } from './views/settings-view';

/** The views of a project, in the navigation. */
const PROJECT_VIEWS = [
  { view: 'environment', label: 'Environment' },
  { view: 'sequences', label: 'Sequences' },
  { view: 'approvals', label: 'Approvals' },
  { view: 'evaluations', label: 'Evaluations' },
  { view: 'settings', label: 'Settings' },
] as const;

/** The views of no project, always in the navigation. */
const GLOBAL_VIEWS = [
  { view: 'projects', label: 'Projects' },
  { view: 'integrations', label: 'Integrations' },
  { view: 'secrets', label: 'Secrets' },
] as const;

function projectRoute(view: (typeof PROJECT_VIEWS)[number]['view'], project: string): Route {
  switch (view) {
    case 'sequences':
      return { view, project, filters: {} };
    case 'evaluations':
      return { view, project, scope: {} };
    default:
      return { view, project };
  }
}

function LiveIndicator() {
  const { status, problem } = useLiveStatus();
  const text = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span className={`live live-${status}`} role="status" title={problem ? `${problem}; refreshing every 5 s meanwhile` : undefined}>
      {text}
      {status === 'reconnecting' ? <span className="live-detail"> refreshing every 5 s</span> : null}
    </span>
  );
}

/** The view of a route; a view of another project (or sequence) starts afresh (`key`). */
function CurrentView({ route }: { route: Route }) {
  switch (route.view) {
    case 'projects':
      return <ProjectsView />;
    case 'environment':
      return <EnvironmentView key={route.project} project={route.project} />;
    case 'sequences':
      return <SequencesView key={route.project} project={route.project} filters={route.filters} />;
    case 'sequence':
      return <SequenceView key={`${route.project}/${route.keptnContext}`} project={route.project} keptnContext={route.keptnContext} />;
    case 'approvals':
      return <ApprovalsView key={route.project} project={route.project} />;
    case 'evaluations':
      return <EvaluationsView key={route.project} project={route.project} scope={route.scope} />;
    case 'settings':
      return <SettingsView key={route.project} project={route.project} />;
    case 'integrations':
      return <IntegrationsView />;
    case 'secrets':
      return <SecretsView />;
    case 'not-found':
      return (
        <>
          <h1 id="page-title" tabIndex={-1}>
            Page not found
          </h1>
          <p>
            Nothing is shown at <code>{route.path}</code>. <Link to={{ view: 'projects' }}>All projects</Link>
          </p>
        </>
      );
    default: {
      const unknown: never = route;
      throw new Error(`no view for ${JSON.stringify(unknown)}`);
    }
  }
}

function Shell() {
  const { logout } = useSession();
  const route = useRoute();
  const project = projectOf(route);
  const href = routeHref(route).split('?')[0];
  const first = useRef(true);

  // After a navigation, the new page's heading takes the focus (screen readers announce it).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('page-title')?.focus();
  }, [href]);
  useEffect(() => {
    document.title = project ? `${project} · Shipmate` : 'Shipmate';
  }, [project]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to={{ view: 'projects' }} className="brand">
          Shipmate
        </Link>
        <nav className="project-nav" aria-label="main">
          {GLOBAL_VIEWS.map(({ view, label }) => (
            <Link key={view} to={{ view }} aria-current={route.view === view ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        {project ? (
          <nav className="project-nav" aria-label={`project ${project}`}>
            <span className="project-name">{project}</span>
            {PROJECT_VIEWS.map(({ view, label }) => {
              const current = route.view === view || (view === 'sequences' && route.view === 'sequence');
              return (
                <Link key={view} to={projectRoute(view, project)} aria-current={current ? 'page' : undefined}>
                  {label}
                </Link>
              );
            })}
          </nav>
        ) : null}
        <div className="top-right">
          <LiveIndicator />
          <button type="button" onClick={() => logout()}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <CurrentView route={route} />
      </main>
    </>
  );
}

/** The whole UI. */
export function App() {
  const [token, setToken] = useState<string | undefined>(readSessionToken);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const logout = useCallback((why?: string) => {
    clearSessionToken();
    setNotice(why);
    setToken(undefined);
  }, []);
  const login = useCallback((accepted: string) => {
    saveSessionToken(accepted);
    setNotice(undefined);
    setToken(accepted);
  }, []);
  const session = useMemo<Session | undefined>(() => (token ? { api: createShipmateApi(token), logout } : undefined), [token, logout]);

  if (!token || !session) return <LoginForm onLogin={login} notice={notice} />;
  return (
    <SessionContext.Provider value={session}>
      <LiveUpdatesProvider token={token} onUnauthorized={logout}>
        <Shell />
      </LiveUpdatesProvider>
    </SessionContext.Provider>
  );
}
