/** The open approvals of a project, to approve or decline. */
import { formatTime } from '../format/format-time';
import { StateBadge } from '../layout/state-badge';
import { DataView, Empty } from '../layout/view-states';
import { useLiveData } from '../live/use-live-data';
import { Link } from '../routing/navigation';
import { ApprovalActions } from './approval-actions';

/** The approvals view of `project`. */
export function ApprovalsView({ project }: { project: string }) {
  const data = useLiveData(`approvals:${project}`, project, (api, signal) => api.listApprovals(project, signal));
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Approvals <span className="muted">of {project}</span>
      </h1>
      <DataView
        data={data}
        what={`the approvals of ${project}`}
        render={(approvals) =>
          approvals.length === 0 ? (
            <Empty>
              <p>No approvals waiting in {project}.</p>
              <p className="muted">
                An <code>approval</code> task waits here when its shipyard strategy is <code>manual</code> for the result before it.
              </p>
            </Empty>
          ) : (
            <ul className="approval-list">
              {approvals.map((approval) => (
                <li key={approval.triggeredId} className="card">
                  <h2>
                    {approval.service} <span className="muted">in</span> {approval.stage}
                  </h2>
                  <p>
                    Result before the approval:{' '}
                    {approval.result ? <StateBadge state={approval.result} /> : <span className="muted">none</span>} · waiting since{' '}
                    {formatTime(approval.time)} ·{' '}
                    <Link to={{ view: 'sequence', project, keptnContext: approval.keptnContext ?? '' }}>the sequence</Link>
                  </p>
                  <ApprovalActions
                    project={project}
                    triggeredId={approval.triggeredId ?? ''}
                    label={`approval of ${approval.service} in ${approval.stage}`}
                  />
                </li>
              ))}
            </ul>
          )
        }
      />
    </>
  );
}
