/** Pause, resume and abort of a sequence (Keptn's sequence control endpoint); abort asks once more. */
import { useState } from 'react';
import type { SequenceControlState as SequenceControl } from '@shipmate/api';
import { useSession } from '../session/session';

/** Props of {@link SequenceControls}. */
export interface SequenceControlsProps {
  project: string;
  keptnContext: string;
  /** The sequence's overall state. */
  state: string;
}

/** The buttons that fit the state; nothing for an ended sequence. */
export function SequenceControls({ project, keptnContext, state }: SequenceControlsProps) {
  const { api } = useSession();
  const [busy, setBusy] = useState(false);
  const [confirmAbort, setConfirmAbort] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  if (['finished', 'aborted', 'timedOut'].includes(state)) return null;

  const control = (action: SequenceControl) => {
    setBusy(true);
    setError(undefined);
    api.controlSequence(project, keptnContext, action).then(
      () => {
        setBusy(false);
        setConfirmAbort(false);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(`${action} failed: ${failure instanceof Error ? failure.message : String(failure)}`);
      },
    );
  };

  return (
    <div className="controls" role="group" aria-label="sequence control">
      {state === 'paused' ? (
        <button type="button" onClick={() => control('resume')} disabled={busy}>
          Resume
        </button>
      ) : (
        <button type="button" onClick={() => control('pause')} disabled={busy}>
          Pause
        </button>
      )}
      {confirmAbort ? (
        <>
          <button type="button" className="danger" onClick={() => control('abort')} disabled={busy}>
            Confirm abort
          </button>
          <button type="button" onClick={() => setConfirmAbort(false)} disabled={busy}>
            Keep running
          </button>
        </>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirmAbort(true)} disabled={busy}>
          Abort…
        </button>
      )}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
