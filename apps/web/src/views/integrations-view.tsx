/**
 * Every integration the control plane knows: its instances (the agent processes, with host, pod,
 * location, versions, their own filters, online or offline and when last seen), the server's
 * warning when several execution planes share one name (and how to fix it), its subscriptions to
 * add, edit and delete, and below all the integrations' error log. Live: registry writes arrive as
 * changes of the `integrations` topic; an instance going offline is announced by nothing, so the
 * view also re-reads every 10 s.
 */
import { useState } from 'react';
import type { Integration, IntegrationInstance, LogEntry, Subscription, SubscriptionFilter } from '@shipmate/api';
import { apiFailureOf } from '../api/api-failure';
import { formatTime, timeAgo } from '../format/format-time';
import { useNow } from '../format/use-now';
import { StateBadge } from '../layout/state-badge';
import { DataView, Empty } from '../layout/view-states';
import { useLiveData } from '../live/use-live-data';
import { useSession } from '../session/session';
import { SubscriptionForm } from './subscription-form';

/** How many error-log entries are shown. */
const LOG_ENTRIES = 50;
/** Re-read this often: instances go offline without a change being announced. */
const REFRESH_MS = 10_000;

interface Registry {
  integrations: Integration[];
  logs: LogEntry[];
}

/** `projects shop · stages dev, staging`, or `all`. */
function filterText(filter: SubscriptionFilter | undefined): string {
  const parts = (['projects', 'stages', 'services'] as const).flatMap((key) => {
    const values = filter?.[key] ?? [];
    return values.length === 0 ? [] : [`${key} ${values.join(', ')}`];
  });
  return parts.length === 0 ? 'all' : parts.join(' · ');
}

function InstanceTable({ instances, now }: { instances: readonly IntegrationInstance[]; now: number }) {
  if (instances.length === 0) return <p className="muted">No instances: no agent of this integration runs now.</p>;
  return (
    <table className="data-table">
      <caption className="visually-hidden">Instances</caption>
      <thead>
        <tr>
          <th scope="col">State</th>
          <th scope="col">Host</th>
          <th scope="col">Pod</th>
          <th scope="col">Location</th>
          <th scope="col">Version</th>
          <th scope="col">Own filters</th>
          <th scope="col">Last seen</th>
        </tr>
      </thead>
      <tbody>
        {instances.map((instance) => (
          <tr key={instance.instanceId} data-instance={instance.instanceId}>
            <td data-label="State">
              <StateBadge state={instance.state === 'online' ? 'succeeded' : 'aborted'} label={instance.state ?? 'unknown'} />
            </td>
            <td data-label="Host">{instance.hostname || '–'}</td>
            <td data-label="Pod">{instance.podname || '–'}</td>
            <td data-label="Location">{instance.location || '–'}</td>
            <td data-label="Version">
              {instance.integrationversion || '–'}
              {instance.distributorversion ? <span className="muted"> (agent {instance.distributorversion})</span> : null}
            </td>
            <td data-label="Own filters">{filterText(instance.filters)}</td>
            <td data-label="Last seen" title={formatTime(instance.lastseen)}>
              {timeAgo(instance.lastseen, now) || '–'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SubscriptionRow({ integration, subscription }: { integration: Integration; subscription: Subscription }) {
  const { api } = useSession();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const integrationId = integration.id ?? '';
  const name = integration.name ?? integrationId;
  if (editing) {
    return (
      <li className="subscription">
        <SubscriptionForm
          integrationId={integrationId}
          integrationName={name}
          subscription={subscription}
          onDone={() => setEditing(false)}
        />
      </li>
    );
  }
  const remove = () => {
    setBusy(true);
    setError(undefined);
    api.deleteSubscription(integrationId, subscription.id ?? '').then(
      () => setBusy(false),
      (failure: unknown) => {
        setBusy(false);
        setError(`Not deleted: ${apiFailureOf(failure).message}`);
      },
    );
  };
  return (
    <li className="subscription" data-subscription={subscription.event}>
      <code>{subscription.event}</code> <span className="muted">for {filterText(subscription.filter)}</span>
      <span className="row-actions">
        <button type="button" onClick={() => setEditing(true)} aria-label={`Edit ${subscription.event ?? ''} of ${name}`}>
          Edit
        </button>
        <button
          type="button"
          className="danger"
          onClick={remove}
          disabled={busy}
          aria-label={`Delete ${subscription.event ?? ''} of ${name}`}
        >
          Delete
        </button>
      </span>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}

function IntegrationCard({ integration, now }: { integration: Integration; now: number }) {
  const [adding, setAdding] = useState(false);
  const name = integration.name ?? integration.id ?? '';
  const namespace = integration.metadata?.kubernetesmetadata?.namespace;
  const subscriptions = integration.subscriptions ?? [];
  const instances = integration.instances ?? [];
  const online = instances.filter((instance) => instance.state === 'online').length;
  return (
    <article className="card integration" aria-labelledby={`integration-${integration.id ?? name}`} data-integration={name}>
      <div className="page-head">
        <h2 id={`integration-${integration.id ?? name}`}>{name}</h2>
        <StateBadge state={online > 0 ? 'succeeded' : 'aborted'} label={`${online} of ${instances.length} online`} />
      </div>
      <p className="muted">
        {namespace ? `namespace ${namespace} · ` : ''}id <code>{integration.id}</code>
      </p>
      {integration.collision ? (
        <div className="warning-note collision" role="note" aria-label={`name collision of ${name}`}>
          <strong>Name collision:</strong> {integration.collision.message}
        </div>
      ) : null}
      <h3>Instances</h3>
      <InstanceTable instances={instances} now={now} />
      <h3>Subscriptions</h3>
      {subscriptions.length === 0 ? <p className="muted">None: this integration gets no tasks.</p> : null}
      <ul className="subscription-list">
        {subscriptions.map((subscription) => (
          <SubscriptionRow key={subscription.id ?? subscription.event} integration={integration} subscription={subscription} />
        ))}
      </ul>
      {adding ? (
        <SubscriptionForm integrationId={integration.id ?? ''} integrationName={name} onDone={() => setAdding(false)} />
      ) : (
        <button type="button" onClick={() => setAdding(true)} aria-label={`Add a subscription to ${name}`}>
          Add subscription
        </button>
      )}
    </article>
  );
}

function ErrorLog({ logs, integrations, now }: { logs: readonly LogEntry[]; integrations: readonly Integration[]; now: number }) {
  const names = new Map(integrations.map((integration) => [integration.id ?? '', integration.name ?? '']));
  if (logs.length === 0) return <p className="muted">No errors logged by integrations.</p>;
  return (
    <table className="data-table">
      <caption className="visually-hidden">Error log, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Integration</th>
          <th scope="col">Task</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {logs.map((entry, index) => (
          <tr key={`${entry.time ?? ''}-${index}`}>
            <td data-label="Time" title={formatTime(entry.time)}>
              {timeAgo(entry.time, now)}
            </td>
            <td data-label="Integration">{names.get(entry.integrationid ?? '') || entry.integrationid}</td>
            <td data-label="Task">{entry.task || '–'}</td>
            <td data-label="Message">{entry.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The integrations view. */
export function IntegrationsView() {
  const now = useNow();
  const data = useLiveData(
    'integrations',
    { topic: 'integrations' },
    async (api, signal): Promise<Registry> => {
      const [integrations, logs] = await Promise.all([api.listIntegrations(signal), api.listLogs(LOG_ENTRIES, signal)]);
      // Collisions first: they need someone to act.
      integrations.sort(
        (a, b) => Number(b.collision !== undefined) - Number(a.collision !== undefined) || (a.name ?? '').localeCompare(b.name ?? ''),
      );
      return { integrations, logs };
    },
    { refreshMs: REFRESH_MS },
  );
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Integrations
      </h1>
      <DataView
        data={data}
        what="the integrations"
        render={({ integrations, logs }) => (
          <>
            {integrations.length === 0 ? (
              <Empty>
                <p>No integration has registered yet.</p>
                <p className="muted">
                  Start an execution plane with <code>shipmate agent</code> (or the Helm chart); it registers here with its instances and
                  subscriptions.
                </p>
              </Empty>
            ) : (
              <div className="integration-list">
                {integrations.map((integration) => (
                  <IntegrationCard key={integration.id ?? integration.name} integration={integration} now={now} />
                ))}
              </div>
            )}
            <section aria-labelledby="error-log">
              <h2 id="error-log">Error log</h2>
              <ErrorLog logs={logs} integrations={integrations} now={now} />
            </section>
          </>
        )}
      />
    </>
  );
}
