/**
 * A project's settings, read-only: its git upstream with the sync status (Shipmate mirrors the
 * project's repository to it and says when a push is due, failing or diverged), its services per
 * stage, and the shipyard as the resource service has it. Live with the project's changes, and
 * re-read every 10 s for the upstream's background pushes and retries.
 */
import type { ExpandedProject, UpstreamStatus } from '@shipmate/api';
import { formatTime, timeAgo } from '../format/format-time';
import { useNow } from '../format/use-now';
import { StateBadge } from '../layout/state-badge';
import { DataView } from '../layout/view-states';
import { useLiveData } from '../live/use-live-data';

/** Re-read this often: upstream pushes and retries run in the background. */
const REFRESH_MS = 10_000;

interface Settings {
  project: ExpandedProject;
  upstream: UpstreamStatus | undefined;
  shipyard: { content: string; version?: string | undefined } | undefined;
}

const UPSTREAM_TONE: Readonly<Record<UpstreamStatus['state'], string>> = {
  synced: 'succeeded',
  pending: 'started',
  failing: 'errored',
  diverged: 'warning',
};

function Upstream({ project, upstream, now }: { project: ExpandedProject; upstream: UpstreamStatus | undefined; now: number }) {
  if (!upstream) {
    return (
      <p className="muted">
        No upstream: the project&apos;s repository lives in the control plane only. Set <code>gitCredentials.remoteURL</code> with{' '}
        <code>PUT /api/controlPlane/v1/project</code> to mirror it.
      </p>
    );
  }
  const user = project.gitCredentials?.user;
  return (
    <>
      <dl className="facts">
        <dt>Remote</dt>
        <dd>
          <code>{upstream.remoteURL}</code>
          {user ? <span className="muted"> as {user}</span> : null}
        </dd>
        <dt>Sync</dt>
        <dd>
          <StateBadge state={UPSTREAM_TONE[upstream.state]} label={upstream.state} />{' '}
          {upstream.unpushedCommits > 0 ? `${upstream.unpushedCommits} commits not pushed yet` : 'nothing to push'}
        </dd>
        <dt>Last push</dt>
        <dd>{upstream.lastPush ? `${timeAgo(upstream.lastPush, now)} (${formatTime(upstream.lastPush)})` : 'never'}</dd>
        <dt>Last pull</dt>
        <dd>{upstream.lastPull ? `${timeAgo(upstream.lastPull, now)} (${formatTime(upstream.lastPull)})` : 'never'}</dd>
      </dl>
      {upstream.lastError ? (
        <p className="warning-note" role="note">
          The last {upstream.lastError.operation ?? 'sync'} failed {timeAgo(upstream.lastError.time, now)}: {upstream.lastError.message}
          {upstream.failedAttempts > 1 ? ` (${upstream.failedAttempts} attempts in a row)` : ''}
          {upstream.nextAttempt ? `; next attempt ${formatTime(upstream.nextAttempt)}` : ''}
        </p>
      ) : null}
      {upstream.divergedBranches.length > 0 ? (
        <div className="warning-note" role="note">
          <p>The upstream changed these branches too, with conflicting edits; Shipmate kept its version and pushed it aside:</p>
          <ul>
            {upstream.divergedBranches.map((branch) => (
              <li key={branch.branch}>
                <code>{branch.branch}</code> → <code>{branch.pushedAs}</code>
                {branch.conflicts?.length ? ` (conflicts: ${branch.conflicts.join(', ')})` : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}

/** The settings view of `project`. */
export function SettingsView({ project }: { project: string }) {
  const now = useNow();
  const data = useLiveData(
    `settings:${project}`,
    project,
    async (api, signal): Promise<Settings> => {
      const [expanded, upstream, shipyard] = await Promise.all([
        api.getProject(project, signal),
        api.getUpstream(project, signal),
        api.getShipyard(project, signal),
      ]);
      return { project: expanded, upstream, shipyard };
    },
    { refreshMs: REFRESH_MS },
  );
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Settings <span className="muted">of {project}</span>
      </h1>
      <DataView
        data={data}
        what={`the settings of ${project}`}
        render={(settings) => {
          const shipyard = settings.shipyard?.content ?? settings.project.shipyard;
          return (
            <div className="settings-grid">
              <section className="card" aria-labelledby="upstream-title">
                <h2 id="upstream-title">Git upstream</h2>
                <Upstream project={settings.project} upstream={settings.upstream} now={now} />
              </section>
              <section className="card" aria-labelledby="services-title">
                <h2 id="services-title">Services</h2>
                {settings.project.stages.length === 0 ? (
                  <p className="muted">No stages: the shipyard defines none.</p>
                ) : (
                  <dl className="facts">
                    {settings.project.stages.map((stage) => (
                      <div key={stage.stageName} className="fact-row">
                        <dt>{stage.stageName}</dt>
                        <dd>
                          {stage.services.length === 0 ? (
                            <span className="muted">none yet</span>
                          ) : (
                            stage.services.map((service) => service.serviceName).join(', ')
                          )}
                        </dd>
                      </div>
                    ))}
                  </dl>
                )}
              </section>
              <section className="card shipyard-card" aria-labelledby="shipyard-title">
                <h2 id="shipyard-title">Shipyard</h2>
                <p className="muted">
                  {settings.project.shipyardVersion}
                  {settings.shipyard?.version ? ` · commit ${settings.shipyard.version.slice(0, 12)}` : ''} · read-only here; change it with{' '}
                  <code>PUT /api/resource-service/v1/project/{project}/resource/shipyard.yaml</code>
                </p>
                <pre className="shipyard" tabIndex={0} aria-label="shipyard.yaml">
                  {shipyard}
                </pre>
              </section>
            </div>
          );
        }}
      />
    </>
  );
}
