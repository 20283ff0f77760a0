/** Approve or decline one open approval task, with an optional message. */
import { useId, useState } from 'react';
import type { ApprovalDecision } from '@shipmate/api';
import { useSession } from '../session/session';

/** Props of {@link ApprovalActions}. */
export interface ApprovalActionsProps {
  project: string;
  /** Id of the `approval.triggered` event. */
  triggeredId: string;
  /** Names the approval for screen readers, e.g. "approval of carts in staging". */
  label: string;
}

/** The buttons (and the outcome, until the live data drops the approval). */
export function ApprovalActions({ project, triggeredId, label }: ApprovalActionsProps) {
  const { api } = useSession();
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const messageId = useId();

  const decide = (decision: ApprovalDecision) => {
    setBusy(true);
    setOutcome(undefined);
    api.decideApproval(project, triggeredId, decision, message.trim() || undefined).then(
      () => {
        setBusy(false);
        setOutcome({
          ok: true,
          text: decision === 'approve' ? 'Approved: the sequence goes on.' : 'Declined: the sequence ends with fail.',
        });
      },
      (error: unknown) => {
        setBusy(false);
        setOutcome({ ok: false, text: `The decision was not taken: ${error instanceof Error ? error.message : String(error)}` });
      },
    );
  };

  return (
    <div className="approval-actions" role="group" aria-label={label}>
      <label htmlFor={messageId} className="visually-hidden">
        Message for the {label} (optional)
      </label>
      <input
        id={messageId}
        type="text"
        placeholder="Message (optional)"
        value={message}
        onChange={(event) => setMessage(event.target.value)}
        disabled={busy || outcome?.ok === true}
        maxLength={10_000}
      />
      <button type="button" className="primary" onClick={() => decide('approve')} disabled={busy || outcome?.ok === true}>
        Approve
      </button>
      <button type="button" className="danger" onClick={() => decide('decline')} disabled={busy || outcome?.ok === true}>
        Decline
      </button>
      {outcome ? (
        <p className={outcome.ok ? 'ok' : 'error'} role={outcome.ok ? 'status' : 'alert'}>
          {outcome.text}
        </p>
      ) : null}
    </div>
  );
}
