/* global AbortSignal */
// post-delete hook of the shipmate-agent chart: removes from the control plane's registry the
// instances this release's pods left behind. Plain Node 20, no dependencies (it runs with
// `node --input-type=module -e` in the agent image).
//
// The pods unregister themselves when they drain on SIGTERM; this removes what they could not: the
// instance of a pod that crashed, was OOM-killed or lost its node. It lists the integration
// REGISTRATION_NAME in K8S_NAMESPACE (GET /controlPlane/v1/uniform/registration?name=&namespace=),
// keeps the instances whose podname is a pod of this release's Deployment (POD_NAME_PREFIX then the
// ReplicaSet hash and the pod suffix), and deletes each one that is offline
// (DELETE /controlPlane/v1/uniform/registration/{id}/instance/{instanceId}), every 2 s until none
// is left or DEADLINE_SECONDS passed; then it deletes the rest (the Deployment is gone by then).
// The integration itself stays: it may be a built-in's registration shared with other planes
// (the control plane's own instance among them), and as in Keptn its subscriptions are kept
// server-side; without instances it expires after UNIFORM_INTEGRATION_TTL.
// It always exits 0: a failed post-delete hook would leave the release half uninstalled, and what
// it could not remove expires anyway; failures are printed.
const env = process.env;
const endpoint = (env.KEPTN_API_ENDPOINT ?? '').replace(/\/+$/, '');
const token = env.KEPTN_API_TOKEN ?? '';
const name = env.REGISTRATION_NAME ?? '';
const namespace = env.K8S_NAMESPACE ?? '';
const prefix = env.POD_NAME_PREFIX ?? '';
const deadline = Date.now() + Number(env.DEADLINE_SECONDS ?? '90') * 1000;
const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ownPod = new RegExp(`^${escaped}[a-z0-9]{1,10}-[a-z0-9]{5}$`);
const base = `${endpoint}/controlPlane/v1/uniform/registration`;

async function call(method, url) {
  const response = await fetch(url, { method, headers: { 'x-token': token }, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function leftovers() {
  const query = new URLSearchParams({ name, namespace });
  const integrations = await call('GET', `${base}?${query}`);
  return integrations.flatMap((integration) =>
    (integration.instances ?? [])
      .filter((instance) => ownPod.test(instance.podname ?? ''))
      .map((instance) => ({ id: integration.id, instance })),
  );
}

if (!endpoint || !name || !prefix) {
  console.log('unregister: KEPTN_API_ENDPOINT, REGISTRATION_NAME and POD_NAME_PREFIX are required; nothing removed');
  process.exit(0);
}
for (;;) {
  const last = Date.now() >= deadline;
  try {
    const found = await leftovers();
    if (found.length === 0) {
      console.log(`unregister: no instance of ${name} in namespace ${namespace} from pods ${prefix}* is left`);
      break;
    }
    for (const { id, instance } of found) {
      if (!last && instance.state !== 'offline') continue;
      await call('DELETE', `${base}/${encodeURIComponent(id)}/instance/${encodeURIComponent(instance.instanceId)}`);
      console.log(`unregister: removed instance ${instance.instanceId} (pod ${instance.podname}, ${instance.state}) of ${name}`);
    }
  } catch (error) {
    console.log(`unregister: ${error.message}${last ? '; giving up, the instances expire after UNIFORM_INTEGRATION_TTL' : '; retrying'}`);
  }
  if (last) break;
  await new Promise((resolve) => setTimeout(resolve, 2000));
}
