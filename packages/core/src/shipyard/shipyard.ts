/** The shipyard model (`spec.keptn.sh/0.2.x`), as parsed from YAML. */

/** `triggeredOn` entry: start this sequence when `<stage>.<sequence>.finished` happens. */
export interface ShipyardTrigger {
  /** `"<stage>.<sequence>.finished"`. */
  event: string;
  /** Optional result selector: keys `result` or `<task>.result`, values `pass|warning|fail`. */
  selector?: { match: Record<string, string> };
}

/** One task of a sequence. */
export interface ShipyardTask {
  name: string;
  /** Go duration; the task's `.triggered` is sent this long after the previous task finished. */
  triggeredAfter?: string;
  /**
   * Shipmate extension (Go duration): the task must be finished this long after it was
   * triggered, or the sequence ends with `errored`. Keptn only bounds the wait for `.started`.
   */
  finishTimeout?: string;
  properties?: Record<string, unknown>;
}

/** A named sequence of tasks in a stage. */
export interface ShipyardSequence {
  name: string;
  triggeredOn?: ShipyardTrigger[];
  tasks: ShipyardTask[];
}

/** A stage with its sequences. */
export interface ShipyardStage {
  name: string;
  sequences: ShipyardSequence[];
}

/** A whole shipyard document. */
export interface Shipyard {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { stages: ShipyardStage[] };
}
