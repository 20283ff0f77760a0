/**
 * The shapes of the API answers the UI reads (Keptn's models with Shipmate's extensions), written
 * out here until `packages/api` holds them once (issue 14, point 1). Only the fields the UI uses.
 */

/** A Keptn CloudEvent as the datastore returns it. */
export interface KeptnEvent {
  id: string;
  type: string;
  source: string;
  time: string;
  shkeptncontext?: string;
  triggeredid?: string;
  data: {
    project?: string;
    stage?: string;
    service?: string;
    result?: string;
    status?: string;
    message?: string;
    evaluation?: { score?: number; result?: string };
    [key: string]: unknown;
  };
}

/** `models.EventContextInfo`. */
export interface EventContextInfo {
  eventId: string;
  keptnContext: string;
  time: string;
}

/** `models.ExpandedService`. */
export interface ExpandedService {
  serviceName: string;
  creationDate: string;
  deployedImage?: string;
  lastEventTypes: Record<string, EventContextInfo>;
}

/** `models.ExpandedStage`. */
export interface ExpandedStage {
  stageName: string;
  parentStages?: string[];
  services: ExpandedService[];
}

/** `models.ExpandedProject` (the fields shown). */
export interface ExpandedProject {
  projectName: string;
  shipyard: string;
  stages: ExpandedStage[];
  lastEventContext: EventContextInfo | null;
}

/** A reference to an event in a sequence state. */
export interface EventRef {
  type: string;
  id: string;
  time: string;
}

/** One stage of a sequence state. */
export interface SequenceStageState {
  name: string;
  state: string;
  image?: string;
  latestEvaluation?: { result: string; score: number };
  latestEvent?: EventRef;
  latestFailedEvent?: EventRef;
  /** Shipmate: why the stage waits or ended (e.g. "no live integration subscribes to …"). */
  message?: string;
}

/** `models.SequenceState`: one sequence run (a keptnContext) across its stages. */
export interface SequenceState {
  name: string;
  service: string;
  project: string;
  shkeptncontext: string;
  time: string;
  state: string;
  problemTitle?: string;
  stages: SequenceStageState[];
}

/** The parts of a sequence execution (one stage's run) the timeline reads. */
export interface SequenceExecution {
  _id: string;
  sequence: { name: string; tasks: Array<{ name: string }> };
  status: {
    state: string;
    currentTask: { name: string; triggeredID: string; scheduledAt: string; delayed?: boolean } | null;
  };
  scope: { project: string; stage: string; service: string; keptnContext: string };
  triggeredAt: string;
}

/** An open approval task (`GET /project/{project}/approval`). */
export interface Approval {
  triggeredId: string;
  keptnContext: string;
  stage: string;
  service: string;
  result: string;
  time: string;
}

/** Sequence control states (`POST /sequence/{project}/{keptnContext}/control`). */
export type SequenceControl = 'pause' | 'resume' | 'abort';

/** An approval decision. */
export type ApprovalDecision = 'approve' | 'decline';
