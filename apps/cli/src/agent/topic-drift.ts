/**
 * PUBSUB_TOPIC says which tasks an agent wants, but once its integration exists the subscriptions
 * stored in the control plane decide (they may have been changed through the API or the Bridge, as
 * in Keptn). When the two differ, the agent says so and how to change them.
 */

/** The warning for `topics` against the stored subscription events; undefined when they agree. */
export function topicDriftWarning(topics: readonly string[], stored: readonly string[], integrationId: string): string | undefined {
  const want = [...new Set(topics)].sort();
  const have = [...new Set(stored)].sort();
  if (want.length === have.length && want.every((topic, i) => topic === have[i])) return undefined;
  const missing = want.filter((topic) => !have.includes(topic));
  const extra = have.filter((topic) => !want.includes(topic));
  const parts = [
    missing.length > 0 ? `not subscribed to ${missing.join(', ')}` : '',
    extra.length > 0 ? `also subscribed to ${extra.join(', ')}` : '',
  ].filter((part) => part !== '');
  return (
    `PUBSUB_TOPIC (${want.join(', ') || 'empty'}) differs from the subscriptions stored for this integration ` +
    `(${have.join(', ') || 'none'}): it is ${parts.join(' and ')}. The stored subscriptions decide which tasks arrive. ` +
    `Change them with POST/PUT/DELETE /api/controlPlane/v1/uniform/registration/${integrationId}/subscription[/<id>] (or in the Bridge), ` +
    'or delete the integration (DELETE /api/controlPlane/v1/uniform/registration/<id>) so the next start registers PUBSUB_TOPIC again'
  );
}
