/**
 * The sequences of a project, newest first, filtered by service, stage, name and state (kept in
 * the URL). Name and state are filtered by the server, service and stage here (the sequence
 * state API filters only those two); the latest 100 are read.
 */
import { useId } from 'react';
import type { SequenceState } from '@shipmate/api';
import { timeAgo } from '../format/format-time';
import { useNow } from '../format/use-now';
import { StateBadge } from '../layout/state-badge';
import { DataView, Empty } from '../layout/view-states';
import { useLiveData } from '../live/use-live-data';
import { Link, navigate } from '../routing/navigation';
import { routeHref } from '../routing/route';
import type { SequenceFilters } from '../routing/route';
import { SelectField } from '../layout/select-field';

/** The overall states a sequence can have. */
const STATES = ['triggered', 'started', 'waiting', 'paused', 'finished', 'aborted', 'timedOut'] as const;
const PAGE = 100;

interface SequenceList {
  stages: string[];
  services: string[];
  sequences: SequenceState[];
}

const FilterSelect = (props: Omit<Parameters<typeof SelectField>[0], 'empty'>) => (
  <SelectField {...props} empty={{ label: 'all', always: true }} />
);

/** The sequences view of `project`. */
export function SequencesView({ project, filters }: { project: string; filters: SequenceFilters }) {
  const now = useNow();
  const nameId = useId();
  const data = useLiveData(
    `sequences:${project}:${filters.name ?? ''}:${filters.state ?? ''}`,
    project,
    async (api, signal): Promise<SequenceList> => {
      const [expanded, sequences] = await Promise.all([
        api.getProject(project, signal),
        api.listSequences(project, { name: filters.name, state: filters.state, pageSize: PAGE }, signal),
      ]);
      const services = [...new Set(expanded.stages.flatMap((stage) => stage.services.map((service) => service.serviceName)))].sort();
      return { stages: expanded.stages.map((stage) => stage.stageName), services, sequences };
    },
  );
  const setFilter = (key: keyof SequenceFilters, value: string) => {
    const next: SequenceFilters = { ...filters, [key]: value || undefined };
    navigate(routeHref({ view: 'sequences', project, filters: next }), { replace: true });
  };
  const options = data.status === 'ready' ? data.data : { stages: [], services: [], sequences: [] };
  const names = [...new Set(options.sequences.map((sequence) => sequence.name))].sort();

  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Sequences <span className="muted">of {project}</span>
      </h1>
      <form className="filters" role="search" aria-label="filter sequences" onSubmit={(event) => event.preventDefault()}>
        <FilterSelect
          label="Service"
          value={filters.service}
          options={options.services}
          onChange={(value) => setFilter('service', value)}
        />
        <FilterSelect label="Stage" value={filters.stage} options={options.stages} onChange={(value) => setFilter('stage', value)} />
        <div className="field">
          <label htmlFor={nameId}>Name</label>
          <input
            id={nameId}
            type="text"
            list={`${nameId}-names`}
            placeholder="all"
            defaultValue={filters.name ?? ''}
            onChange={(event) => setFilter('name', event.target.value.trim())}
          />
          <datalist id={`${nameId}-names`}>
            {names.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </div>
        <FilterSelect label="State" value={filters.state} options={STATES} onChange={(value) => setFilter('state', value)} />
      </form>
      <DataView
        data={data}
        what={`the sequences of ${project}`}
        render={(list) => {
          const shown = list.sequences.filter(
            (sequence) =>
              (!filters.service || sequence.service === filters.service) &&
              (!filters.stage || (sequence.stages ?? []).some((stage) => stage.name === filters.stage)),
          );
          if (shown.length === 0) {
            const filtered = Object.values(filters).some(Boolean);
            return (
              <Empty>
                {filtered ? (
                  <p>No sequence matches these filters.</p>
                ) : (
                  <>
                    <p>No sequences in {project} yet.</p>
                    <p className="muted">
                      Trigger one with <code>POST /api/v1/event</code> and a{' '}
                      <code>sh.keptn.event.&lt;stage&gt;.&lt;sequence&gt;.triggered</code> event.
                    </p>
                  </>
                )}
              </Empty>
            );
          }
          return (
            <table className="sequence-table">
              <caption className="visually-hidden">Sequences of {project}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Sequence</th>
                  <th scope="col">Service</th>
                  <th scope="col">Stages</th>
                  <th scope="col">State</th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((sequence) => (
                  <tr key={sequence.shkeptncontext}>
                    <td data-label="Sequence">
                      <Link to={{ view: 'sequence', project, keptnContext: sequence.shkeptncontext ?? '' }}>{sequence.name}</Link>
                      {sequence.problemTitle ? <div className="muted">{sequence.problemTitle}</div> : null}
                    </td>
                    <td data-label="Service">{sequence.service}</td>
                    <td data-label="Stages">
                      <ol className="stage-chain">
                        {(sequence.stages ?? []).map((stage) => (
                          <li key={stage.name}>
                            {stage.name} <StateBadge state={stage.state} />
                          </li>
                        ))}
                      </ol>
                    </td>
                    <td data-label="State">
                      <StateBadge state={sequence.state} />
                    </td>
                    <td data-label="Started">{timeAgo(sequence.time, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      />
    </>
  );
}
