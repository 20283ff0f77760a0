/**
 * A project's environment: its stages (shipyard order) with their services, each with the deployed
 * version, the last evaluation and the approvals waiting, and a link to its latest sequence.
 */
import type { Approval, ExpandedProject, ExpandedService } from '@shipmate/api';
import { readEvaluation } from '../evaluation/read-evaluation';
import type { Evaluation } from '../evaluation/read-evaluation';
import { timeAgo, timeMs } from '../format/format-time';
import { useNow } from '../format/use-now';
import { StateBadge } from '../layout/state-badge';
import { DataView, Empty } from '../layout/view-states';
import { useLiveData } from '../live/use-live-data';
import { Link } from '../routing/navigation';

interface Environment {
  project: ExpandedProject;
  /** Newest `evaluation.finished` per `stage/service`. */
  evaluations: Map<string, Evaluation>;
  approvals: Approval[];
}

const cell = (stage: string, service: string) => `${stage}/${service}`;

/** The context of a service's newest event in a stage (its latest sequence), if any. */
function latestContext(service: ExpandedService): { keptnContext: string; time: string } | undefined {
  let newest: { keptnContext: string; time: string } | undefined;
  for (const info of Object.values(service.lastEventTypes)) {
    const time = info.time ?? '';
    if (info.keptnContext && (!newest || time > newest.time)) newest = { keptnContext: info.keptnContext, time };
  }
  return newest;
}

function ServiceCell({
  environment,
  stage,
  service,
  now,
}: {
  environment: Environment;
  stage: string;
  service: ExpandedService;
  now: number;
}) {
  const project = environment.project.projectName;
  const name = service.serviceName;
  const evaluation = environment.evaluations.get(cell(stage, name));
  const score = evaluation?.score;
  const result = evaluation?.result;
  const waiting = environment.approvals.filter((approval) => approval.stage === stage && approval.service === name);
  const latest = latestContext(service);
  return (
    <li className="service-cell">
      <h3>{name}</h3>
      <dl className="facts">
        <dt>Version</dt>
        <dd>{service.deployedImage ? <code>{service.deployedImage}</code> : <span className="muted">not deployed yet</span>}</dd>
        <dt>Evaluation</dt>
        <dd>
          {evaluation ? (
            <>
              {typeof score === 'number' ? <span className="score">{Math.round(score * 100) / 100}</span> : null}{' '}
              {result ? <StateBadge state={result} /> : null} <span className="muted">{timeAgo(evaluation.time, now)}</span>
            </>
          ) : (
            <span className="muted">none yet</span>
          )}
        </dd>
        <dt>Approvals</dt>
        <dd>
          {waiting.length === 0 ? (
            <span className="muted">none waiting</span>
          ) : (
            <Link to={{ view: 'approvals', project }} className="attention">
              {waiting.length === 1 ? '1 approval waiting' : `${waiting.length} approvals waiting`}
            </Link>
          )}
        </dd>
      </dl>
      {latest ? (
        <Link to={{ view: 'sequence', project, keptnContext: latest.keptnContext }}>Latest sequence</Link>
      ) : (
        <span className="muted">No sequence yet</span>
      )}
    </li>
  );
}

/** The environment view of `project`. */
export function EnvironmentView({ project }: { project: string }) {
  const now = useNow();
  const data = useLiveData(`environment:${project}`, project, async (api, signal): Promise<Environment> => {
    const [expanded, evaluationEvents, approvals] = await Promise.all([
      api.getProject(project, signal),
      api.listEvaluations(project, undefined, signal),
      api.listApprovals(project, signal),
    ]);
    const evaluations = new Map<string, Evaluation>();
    for (const event of evaluationEvents) {
      const evaluation = readEvaluation(event);
      const key = cell(evaluation.stage, evaluation.service);
      const known = evaluations.get(key);
      if (!known || timeMs(evaluation.time) > timeMs(known.time)) evaluations.set(key, evaluation);
    }
    return { project: expanded, evaluations, approvals };
  });
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Environment <span className="muted">of {project}</span>
      </h1>
      <DataView
        data={data}
        what={`the environment of ${project}`}
        render={(environment) =>
          environment.project.stages.length === 0 ? (
            <Empty>
              <p>Project {project} has no stages: its shipyard defines none.</p>
            </Empty>
          ) : (
            <div className="stage-grid">
              {environment.project.stages.map((stage) => (
                <section key={stage.stageName} className="card stage-column" aria-labelledby={`stage-${stage.stageName}`}>
                  <h2 id={`stage-${stage.stageName}`}>{stage.stageName}</h2>
                  {stage.services.length === 0 ? (
                    <p className="muted">
                      No services yet: create one with <code>POST /api/controlPlane/v1/project/{project}/service</code>.
                    </p>
                  ) : (
                    <ul className="service-list">
                      {stage.services.map((service) => (
                        <ServiceCell
                          key={service.serviceName}
                          environment={environment}
                          stage={stage.stageName}
                          service={service}
                          now={now}
                        />
                      ))}
                    </ul>
                  )}
                </section>
              ))}
            </div>
          )
        }
      />
    </>
  );
}
