/** Keptn's sequence state view (`GET /v1/sequence/{project}`), one document per context. */

/** Overall states of the view. */
export const SequenceViewState = {
  triggered: 'triggered',
  started: 'started',
  waiting: 'waiting',
  paused: 'paused',
  finished: 'finished',
  aborted: 'aborted',
  timedOut: 'timedOut',
} as const;
/** One of {@link SequenceViewState}. */
export type SequenceViewState = (typeof SequenceViewState)[keyof typeof SequenceViewState];

/** Reference to an event in the view. */
export interface EventRef {
  type: string;
  id: string;
  time: string;
}

/** One stage entry of the view. */
export interface SequenceStageState {
  name: string;
  state: string;
  image?: string;
  latestEvaluation?: { result: string; score: number };
  latestEvent?: EventRef;
  latestFailedEvent?: EventRef;
  /** Shipmate: why the stage is stuck or ended, e.g. the timeout or finish-deadline message. */
  message?: string;
}

/** The view document (`models.SequenceState`). */
export interface SequenceState {
  name: string;
  service: string;
  project: string;
  shkeptncontext: string;
  time: string;
  state: SequenceViewState;
  problemTitle?: string;
  stages: SequenceStageState[];
}
