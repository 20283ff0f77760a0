/**
 * One sequence: its state, the controls (pause, resume, abort) and its timeline across the stages,
 * every task with its executor, duration, result and message, the server's note when a task waits
 * for an integration, and the approval buttons on an approval that waits for a person.
 */
import type { Approval, SequenceState } from '@shipmate/api';
import { formatDuration, formatTime, timeMs } from '../format/format-time';
import { useNow } from '../format/use-now';
import { StateBadge } from '../layout/state-badge';
import { DataView, Empty } from '../layout/view-states';
import { useLiveData } from '../live/use-live-data';
import { Link } from '../routing/navigation';
import { buildTimeline } from '../sequence/sequence-timeline';
import type { TimelineStage, TimelineTask } from '../sequence/sequence-timeline';
import { ApprovalActions } from './approval-actions';
import { SequenceControls } from './sequence-controls';

interface SequenceDetail {
  state: SequenceState;
  timeline: TimelineStage[];
  approvals: Approval[];
}

function TaskOutcome({ task, now }: { task: TimelineTask; now: number }) {
  switch (task.phase) {
    case 'finished':
      return <StateBadge state={task.result ?? task.status ?? 'finished'} />;
    case 'running':
      return <StateBadge state="running" label={`running for ${formatDuration(now - timeMs(task.triggeredAt))}`} />;
    case 'triggered':
      return <StateBadge state="waiting" label="waiting for an executor" />;
    case 'pending':
      return <StateBadge state="pending" label={task.scheduledAt ? `scheduled for ${formatTime(task.scheduledAt)}` : 'pending'} />;
    case 'skipped':
      return <StateBadge state="skipped" label="not run" />;
  }
}

/** One term of a task's facts (a `<div>` groups the pair inside the `<dl>`). */
function Fact({ term, value }: { term: string; value: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function TaskRow({
  project,
  stage,
  task,
  approvals,
  now,
}: {
  project: string;
  stage: string;
  task: TimelineTask;
  approvals: Approval[];
  now: number;
}) {
  const approval = task.triggeredId ? approvals.find((open) => open.triggeredId === task.triggeredId) : undefined;
  const took = task.finishedAt ? timeMs(task.finishedAt) - timeMs(task.triggeredAt) : undefined;
  return (
    <li className={`task phase-${task.phase}`} data-task={task.name}>
      <div className="task-head">
        <span className="task-name">{task.name}</span> <TaskOutcome task={task} now={now} />
      </div>
      <dl className="task-facts">
        {task.executors.length > 0 ? <Fact term="Executor" value={task.executors.join(', ')} /> : null}
        {took !== undefined ? <Fact term="Duration" value={formatDuration(took)} /> : null}
        {task.triggeredAt ? <Fact term="Triggered" value={formatTime(task.triggeredAt)} /> : null}
        {task.status && task.status !== 'succeeded' ? <Fact term="Status" value={task.status} /> : null}
      </dl>
      {task.message ? <p className="task-message">{task.message}</p> : null}
      {task.note ? (
        <p className="warning-note" role="note">
          {task.note}
        </p>
      ) : null}
      {approval ? <ApprovalActions project={project} triggeredId={approval.triggeredId ?? ''} label={`approval in ${stage}`} /> : null}
    </li>
  );
}

function StageSection({ project, stage, approvals, now }: { project: string; stage: TimelineStage; approvals: Approval[]; now: number }) {
  return (
    <li className="card timeline-stage" aria-labelledby={`timeline-${stage.name}`}>
      <h2 id={`timeline-${stage.name}`}>
        {stage.name} <StateBadge state={stage.state} />
      </h2>
      <p className="stage-facts">
        {stage.image ? (
          <span>
            image <code>{stage.image}</code>
          </span>
        ) : null}
        {stage.evaluation ? (
          <span>
            evaluation {stage.evaluation.score} <StateBadge state={stage.evaluation.result} />
          </span>
        ) : null}
        {stage.triggeredAt ? <span>triggered {formatTime(stage.triggeredAt)}</span> : null}
      </p>
      {stage.message ? (
        <p className="warning-note" role="note">
          {stage.message}
        </p>
      ) : null}
      {stage.tasks.length === 0 ? (
        <p className="muted">No tasks yet.</p>
      ) : (
        <ol className="task-list">
          {stage.tasks.map((task, index) => (
            <TaskRow
              key={task.triggeredId ?? `${task.name}-${index}`}
              project={project}
              stage={stage.name}
              task={task}
              approvals={approvals}
              now={now}
            />
          ))}
        </ol>
      )}
    </li>
  );
}

/** The view of one sequence (`keptnContext`) of `project`. */
export function SequenceView({ project, keptnContext }: { project: string; keptnContext: string }) {
  const now = useNow(1000);
  const data = useLiveData(`sequence:${project}:${keptnContext}`, project, async (api, signal): Promise<SequenceDetail | undefined> => {
    const [state, executions, events, approvals] = await Promise.all([
      api.getSequence(project, keptnContext, signal),
      api.listExecutions(project, keptnContext, signal),
      api.listContextEvents(project, keptnContext, signal),
      api.listApprovals(project, signal),
    ]);
    if (!state) return undefined;
    return {
      state,
      timeline: buildTimeline(state, executions, events),
      approvals: approvals.filter((approval) => approval.keptnContext === keptnContext),
    };
  });
  const found = data.status === 'ready' ? data.data : undefined;
  return (
    <>
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {found ? (
            <>
              {found.state.name} <span className="muted">of</span> {found.state.service}
            </>
          ) : data.status === 'ready' ? (
            'Sequence not found'
          ) : (
            'Sequence'
          )}
        </h1>
        {found ? <StateBadge state={found.state.state} /> : null}
      </div>
      <DataView
        data={data}
        what="the sequence"
        render={(detail) =>
          detail === undefined ? (
            <Empty>
              <p>
                Project {project} has no sequence with context <code>{keptnContext}</code> (it may have been removed by the event
                retention).
              </p>
              <p>
                <Link to={{ view: 'sequences', project, filters: {} }}>All sequences of {project}</Link>
              </p>
            </Empty>
          ) : (
            <>
              <p className="muted">
                started {formatTime(detail.state.time)} · context <code>{keptnContext}</code>
                {detail.state.problemTitle ? ` · problem: ${detail.state.problemTitle}` : ''}
              </p>
              <SequenceControls project={project} keptnContext={keptnContext} state={detail.state.state ?? ''} />
              <ol className="timeline" aria-label="stages of the sequence">
                {detail.timeline.map((stage) => (
                  <StageSection key={stage.name} project={project} stage={stage} approvals={detail.approvals} now={now} />
                ))}
              </ol>
            </>
          )
        }
      />
    </>
  );
}
