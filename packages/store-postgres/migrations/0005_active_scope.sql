-- The queue of a stage/service (listExecutionsInScope) reads active executions alone. The full index
-- held every finished execution too, so each step of a sequence moved its entry within its service's
-- history. Indexed alone, the active executions stay a few pages however long the history grows. The
-- terms are the names of TERMINAL_STATES (core); the query repeats them so that the planner uses it.
DROP INDEX executions_scope;
CREATE INDEX executions_active_scope ON executions (project, stage, service, state, triggered_at)
  WHERE state NOT IN ('finished', 'timedOut');
