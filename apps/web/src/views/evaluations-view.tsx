/**
 * A project's evaluations: for one stage and service (chosen above, kept in the URL), the score of
 * each run over the SLO's pass and warning bands, one chart per SLI over its own targets, and the
 * table of every run with each SLI's value. Defaults to the stage and service evaluated last.
 */
import { BandChart } from '../chart/band-chart';
import type { ChartPoint } from '../chart/band-chart';
import { intervalOf, scoreBands } from '../chart/bands';
import { readEvaluation } from '../evaluation/read-evaluation';
import type { Evaluation } from '../evaluation/read-evaluation';
import { formatTime, timeMs } from '../format/format-time';
import { StateBadge } from '../layout/state-badge';
import { DataView, Empty } from '../layout/view-states';
import { useLiveData } from '../live/use-live-data';
import { Link, navigate } from '../routing/navigation';
import { routeHref } from '../routing/route';
import type { EvaluationScope } from '../routing/route';
import { SelectField } from '../layout/select-field';

/** How many runs of one stage and service are shown. */
const HISTORY = 50;

interface EvaluationHistory {
  stages: string[];
  services: string[];
  /** The stage and service shown (from the URL, else the newest evaluation's). */
  stage: string | undefined;
  service: string | undefined;
  /** Oldest first. */
  runs: Evaluation[];
}

/** The SLIs of the runs, in the order the newest run lists them. */
function indicatorNames(runs: readonly Evaluation[]): Array<{ metric: string; displayName: string }> {
  const seen = new Map<string, string>();
  for (const run of [...runs].reverse())
    for (const indicator of run.indicators) if (!seen.has(indicator.metric)) seen.set(indicator.metric, indicator.displayName);
  return [...seen].map(([metric, displayName]) => ({ metric, displayName }));
}

const formatScore = (score: number) => String(Math.round(score * 100) / 100);

const ScopeSelect = (props: Omit<Parameters<typeof SelectField>[0], 'empty'>) => (
  <SelectField {...props} empty={{ label: 'choose', always: false }} />
);

function History({ project, history }: { project: string; history: EvaluationHistory }) {
  const { runs, stage, service } = history;
  if (runs.length === 0) {
    return (
      <Empty>
        <p>No evaluations {stage && service ? `of ${service} in ${stage}` : `in ${project}`} yet.</p>
        <p className="muted">
          An <code>evaluation</code> task of a sequence (or <code>POST …/stage/&lt;stage&gt;/service/&lt;service&gt;/evaluation</code>) runs
          the lighthouse against the service&apos;s <code>slo.yaml</code>; its results appear here as they arrive.
        </p>
      </Empty>
    );
  }
  const label = (run: Evaluation) => formatTime(run.time);
  const scorePoints: ChartPoint[] = runs.map((run) => ({
    value: run.score,
    status: run.result,
    label: label(run),
    ...scoreBands(run.criteria),
  }));
  const indicators = indicatorNames(runs);
  const criteria = runs[runs.length - 1]?.criteria;
  return (
    <>
      <section className="card chart-card" aria-labelledby="score-title">
        <h2 id="score-title">Score</h2>
        <p className="muted">
          {runs.length} {runs.length === 1 ? 'run' : 'runs'}, oldest left
          {criteria
            ? ` · pass from ${criteria.pass}${criteria.warning === undefined ? '' : `, warning from ${criteria.warning}`} (SLO total_score)`
            : ' · no SLO total_score'}
        </p>
        <BandChart
          title={`Score of ${service ?? ''} in ${stage ?? ''}`}
          points={scorePoints}
          range={{ from: 0, to: 100 }}
          height={220}
          format={formatScore}
        />
      </section>
      {indicators.length > 0 ? (
        <div className="chart-grid">
          {indicators.map(({ metric, displayName }) => {
            const points: ChartPoint[] = runs.map((run) => {
              const result = run.indicators.find((indicator) => indicator.metric === metric);
              return {
                value: result?.value,
                status: result?.status ?? 'info',
                label: label(run),
                pass: result ? intervalOf(result.passTargets) : undefined,
                warning: result ? intervalOf(result.warningTargets) : undefined,
              };
            });
            const latest = [...runs]
              .reverse()
              .map((run) => run.indicators.find((indicator) => indicator.metric === metric))
              .find(Boolean);
            const targets = [
              ...(latest?.passTargets.length ? [`pass ${latest.passTargets.map((target) => target.criteria).join(' and ')}`] : []),
              ...(latest?.warningTargets.length ? [`warning ${latest.warningTargets.map((target) => target.criteria).join(' and ')}`] : []),
            ];
            return (
              <section key={metric} className="card chart-card" aria-label={`SLI ${displayName}`}>
                <h3>
                  {displayName} {latest?.keySli ? <span className="badge tone-neutral">key SLI</span> : null}
                </h3>
                <p className="muted">{targets.length > 0 ? targets.join(' · ') : 'informational (no pass criteria)'}</p>
                <BandChart title={`${displayName} of ${service ?? ''} in ${stage ?? ''}`} points={points} />
              </section>
            );
          })}
        </div>
      ) : null}
      <table className="data-table">
        <caption className="visually-hidden">
          Evaluations of {service} in {stage}, newest first
        </caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Result</th>
            <th scope="col">Score</th>
            {indicators.map(({ metric, displayName }) => (
              <th key={metric} scope="col">
                {displayName}
              </th>
            ))}
            <th scope="col">Sequence</th>
          </tr>
        </thead>
        <tbody>
          {[...runs].reverse().map((run) => (
            <tr key={run.id}>
              <td data-label="Time">{formatTime(run.time)}</td>
              <td data-label="Result">
                <StateBadge state={run.result} />
              </td>
              <td data-label="Score">{run.score === undefined ? '–' : formatScore(run.score)}</td>
              {indicators.map(({ metric, displayName }) => {
                const result = run.indicators.find((indicator) => indicator.metric === metric);
                return (
                  <td key={metric} data-label={displayName}>
                    {result ? (
                      <>
                        {result.value === undefined ? <span title={result.message}>no value</span> : String(result.value)}{' '}
                        <StateBadge state={result.status} />
                      </>
                    ) : (
                      '–'
                    )}
                  </td>
                );
              })}
              <td data-label="Sequence">
                <Link to={{ view: 'sequence', project, keptnContext: run.keptnContext }}>open</Link>
                {run.message ? <div className="muted">{run.message}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The evaluations view of `project`. */
export function EvaluationsView({ project, scope }: { project: string; scope: EvaluationScope }) {
  const data = useLiveData(
    `evaluations:${project}:${scope.stage ?? ''}:${scope.service ?? ''}`,
    project,
    async (api, signal): Promise<EvaluationHistory> => {
      const expanded = await api.getProject(project, signal);
      const stages = expanded.stages.map((stage) => stage.stageName);
      const services = [...new Set(expanded.stages.flatMap((stage) => stage.services.map((service) => service.serviceName)))].sort();
      let { stage, service } = scope;
      if (stage === undefined || service === undefined) {
        const newest = (await api.listEvaluations(project, undefined, signal))
          .map(readEvaluation)
          .sort((a, b) => timeMs(b.time) - timeMs(a.time))[0];
        stage ??= newest?.stage;
        service ??= newest?.service;
      }
      if (stage === undefined || service === undefined) return { stages, services, stage, service, runs: [] };
      const runs = (await api.listEvaluations(project, { stage, service, limit: HISTORY }, signal)).map(readEvaluation);
      runs.sort((a, b) => timeMs(a.time) - timeMs(b.time));
      return { stages, services, stage, service, runs };
    },
  );
  const shown = data.status === 'ready' ? data.data : undefined;
  const choose = (key: keyof EvaluationScope, value: string) =>
    navigate(
      routeHref({
        view: 'evaluations',
        project,
        scope: { stage: shown?.stage, service: shown?.service, ...scope, [key]: value || undefined },
      }),
      {
        replace: true,
      },
    );
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Evaluations <span className="muted">of {project}</span>
      </h1>
      <form className="filters" aria-label="stage and service of the evaluations" onSubmit={(event) => event.preventDefault()}>
        <ScopeSelect label="Stage" value={shown?.stage} options={shown?.stages ?? []} onChange={(value) => choose('stage', value)} />
        <ScopeSelect
          label="Service"
          value={shown?.service}
          options={shown?.services ?? []}
          onChange={(value) => choose('service', value)}
        />
      </form>
      <DataView data={data} what={`the evaluations of ${project}`} render={(history) => <History project={project} history={history} />} />
    </>
  );
}
