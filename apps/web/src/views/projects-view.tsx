/** The dashboard: every project with its stages, services and latest sequences. */
import type { ExpandedProject, SequenceState } from '@shipmate/api';
import { timeAgo } from '../format/format-time';
import { useNow } from '../format/use-now';
import { StateBadge } from '../layout/state-badge';
import { DataView, Empty } from '../layout/view-states';
import { useLiveData } from '../live/use-live-data';
import { Link } from '../routing/navigation';

interface ProjectSummary {
  project: ExpandedProject;
  services: string[];
  sequences: SequenceState[];
}

/** How many sequences a project card lists. */
const RECENT = 5;

function ProjectCard({ summary, now }: { summary: ProjectSummary; now: number }) {
  const { project, services, sequences } = summary;
  const name = project.projectName;
  return (
    <article className="card project-card" aria-labelledby={`project-${name}`}>
      <h2 id={`project-${name}`}>
        <Link to={{ view: 'environment', project: name }}>{name}</Link>
      </h2>
      <dl className="facts">
        <dt>Stages</dt>
        <dd>
          {project.stages.length === 0 ? (
            'none (no shipyard yet)'
          ) : (
            <ol className="stage-chain" aria-label={`stages of ${name}`}>
              {project.stages.map((stage) => (
                <li key={stage.stageName}>{stage.stageName}</li>
              ))}
            </ol>
          )}
        </dd>
        <dt>Services</dt>
        <dd>{services.length === 0 ? 'none yet' : services.join(', ')}</dd>
      </dl>
      <h3>Recent sequences</h3>
      {sequences.length === 0 ? (
        <p className="muted">No sequences yet.</p>
      ) : (
        <ul className="recent">
          {sequences.map((sequence) => (
            <li key={sequence.shkeptncontext}>
              <Link to={{ view: 'sequence', project: name, keptnContext: sequence.shkeptncontext ?? '' }}>
                {sequence.name} of {sequence.service}
              </Link>{' '}
              <StateBadge state={sequence.state} /> <span className="muted">{timeAgo(sequence.time, now)}</span>
            </li>
          ))}
        </ul>
      )}
      <nav className="card-links" aria-label={`views of ${name}`}>
        <Link to={{ view: 'environment', project: name }}>Environment</Link>
        <Link to={{ view: 'sequences', project: name, filters: {} }}>Sequences</Link>
        <Link to={{ view: 'approvals', project: name }}>Approvals</Link>
        <Link to={{ view: 'evaluations', project: name, scope: {} }}>Evaluations</Link>
        <Link to={{ view: 'settings', project: name }}>Settings</Link>
      </nav>
    </article>
  );
}

/** The projects dashboard. */
export function ProjectsView() {
  const now = useNow();
  const data = useLiveData('projects', undefined, async (api, signal): Promise<ProjectSummary[]> => {
    const projects = await api.listProjects(signal);
    return Promise.all(
      projects.map(async (project) => ({
        project,
        services: [...new Set(project.stages.flatMap((stage) => stage.services.map((service) => service.serviceName)))].sort(),
        sequences: await api.listSequences(project.projectName, { pageSize: RECENT }, signal),
      })),
    );
  });
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Projects
      </h1>
      <DataView
        data={data}
        what="the projects"
        render={(summaries) =>
          summaries.length === 0 ? (
            <Empty>
              <p>No projects yet.</p>
              <p>
                Create one with <code>npx shipmate demo</code> (next to <code>npm start</code>), or with the API:{' '}
                <code>POST /api/controlPlane/v1/project</code> with a name and a base64 shipyard (see the README).
              </p>
            </Empty>
          ) : (
            <div className="card-grid">
              {summaries.map((summary) => (
                <ProjectCard key={summary.project.projectName} summary={summary} now={now} />
              ))}
            </div>
          )
        }
      />
    </>
  );
}
