/**
 * The other side of the `upstream` notice: a replica that configures, removes or forgets a
 * project's git upstream tells the others, which read its settings again (follow-other-replicas.ts).
 */
import type { ConfigUpstream, ReplicaNoticeBus } from '@shipmate/core';

/** `upstream`, telling the other replicas about every change of a project's upstream settings. */
export function announceUpstreamChanges(upstream: ConfigUpstream, notices: ReplicaNoticeBus): ConfigUpstream {
  const announce = (project: string) => notices.publish({ kind: 'upstream', project });
  return {
    async configure(project, credentials) {
      await upstream.configure(project, credentials);
      announce(project);
    },
    async forget(project) {
      await upstream.forget(project);
      announce(project);
    },
    reload: (project) => upstream.reload(project),
    pull: (project) => upstream.pull(project),
    pushSoon: (project) => upstream.pushSoon(project),
    status: (project) => upstream.status(project),
    close: () => upstream.close(),
  };
}
