/**
 * Adds or edits one subscription of an integration: the event type and the project, stage and
 * service filters (comma-separated; empty means all). Saving sends Keptn's subscription
 * routes (`POST` a new one, `PUT` an existing one); the running agents pick the change up with
 * their next heartbeat.
 */
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { Subscription } from '@shipmate/api';
import { apiFailureOf } from '../api/api-failure';
import { useSession } from '../session/session';

/** Props of {@link SubscriptionForm}. */
export interface SubscriptionFormProps {
  integrationId: string;
  integrationName: string;
  /** The subscription to edit; a new one without. */
  subscription?: Subscription | undefined;
  /** Called after a save (the live data shows the result) or on cancel. */
  onDone: () => void;
}

const listOf = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** The form. */
export function SubscriptionForm({ integrationId, integrationName, subscription, onDone }: SubscriptionFormProps) {
  const { api } = useSession();
  const id = useId();
  const [event, setEvent] = useState(subscription?.event ?? 'sh.keptn.event.');
  const [projects, setProjects] = useState((subscription?.filter?.projects ?? []).join(', '));
  const [stages, setStages] = useState((subscription?.filter?.stages ?? []).join(', '));
  const [services, setServices] = useState((subscription?.filter?.services ?? []).join(', '));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const submit = (formEvent: FormEvent<HTMLFormElement>) => {
    formEvent.preventDefault();
    const type = event.trim();
    if (!/^sh\.keptn\.event\.[^.\s]+(\.[^.\s]+)+$/.test(type)) {
      setError(`event '${type}' is not a Keptn event type; write e.g. sh.keptn.event.deployment.triggered`);
      return;
    }
    setBusy(true);
    setError(undefined);
    const body: Subscription = {
      ...(subscription?.id ? { id: subscription.id } : {}),
      event: type,
      filter: { projects: listOf(projects), stages: listOf(stages), services: listOf(services) },
    };
    api.saveSubscription(integrationId, body).then(
      () => {
        setBusy(false);
        onDone();
      },
      (failure: unknown) => {
        setBusy(false);
        setError(`Not saved: ${apiFailureOf(failure).message}`);
      },
    );
  };

  const field = (name: string, label: string, value: string, set: (value: string) => void, hint?: string) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        type="text"
        value={value}
        onChange={(change) => set(change.target.value)}
        placeholder={hint ?? 'all'}
        spellCheck={false}
      />
    </div>
  );

  return (
    <form
      className="subscription-form"
      onSubmit={submit}
      aria-label={
        subscription ? `edit subscription ${subscription.event ?? ''} of ${integrationName}` : `new subscription of ${integrationName}`
      }
    >
      {field('event', 'Event', event, setEvent, 'sh.keptn.event.deployment.triggered')}
      {field('projects', 'Projects', projects, setProjects)}
      {field('stages', 'Stages', stages, setStages)}
      {field('services', 'Services', services, setServices)}
      <p className="muted help-line">Filters: comma-separated names; empty means all.</p>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save subscription'}
        </button>
        <button type="button" onClick={onDone} disabled={busy}>
          Cancel
        </button>
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
