// A whole integration with @shipmate/agent-sdk: it answers every `hello` task of the shipyard.
//   KEPTN_API_ENDPOINT=http://127.0.0.1:8080/api KEPTN_API_TOKEN=<token> node examples/node-integration/hello-integration.mjs
// The SDK registers the integration, receives its tasks by long poll, sends .started at once and
// .finished with what the handler returns (errored/fail with the message if it throws).
import { createIntegration } from '@shipmate/agent-sdk';

const integration = createIntegration({
  name: process.env.INTEGRATION_NAME ?? 'hello-service', // unique per execution plane
  controlPlane: { endpoint: process.env.KEPTN_API_ENDPOINT ?? 'http://127.0.0.1:8080/api', token: process.env.KEPTN_API_TOKEN ?? '' },
});

integration.onTask('hello', async (task) => {
  const { project, stage, service } = task.data;
  await task.progress(`saying hello to ${service}`); // sh.keptn.event.hello.status.changed
  const greeting = `hello ${service} in ${project}/${stage}`;
  return { hello: { greeting } }; // becomes data of sh.keptn.event.hello.finished (result pass)
});

await integration.start();
console.log('hello-service is waiting for hello tasks (Ctrl-C drains and stops)');
