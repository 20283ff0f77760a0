// An integration behind `shipmate agent`, in plain Node without the SDK (any language works the
// same way). The agent POSTs each task to this server; the server answers 200 at once, then does
// the work and POSTs .started and .finished to the agent's /event (it forwards them to the
// control plane). Run it on the port you give the agent as PUBSUB_RECIPIENT_PORT:
//   RECIPIENT_PORT=9090 AGENT_EVENT_URL=http://127.0.0.1:8081/event node examples/recipient/recipient.mjs
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const port = Number(process.env.RECIPIENT_PORT ?? 9090);
const agentEventUrl = process.env.AGENT_EVENT_URL ?? 'http://127.0.0.1:8081/event';

/** Sends a .started or .finished answering `task` through the agent. */
async function answer(task, kind, data) {
  const name = task.type.split('.')[3]; // sh.keptn.event.<task>.triggered
  const event = {
    specversion: '1.0',
    id: randomUUID(),
    type: `sh.keptn.event.${name}.${kind}`,
    source: 'my-recipient',
    shkeptncontext: task.shkeptncontext, // the same keptn context
    triggeredid: task.id, // which task this answers
    data: { project: task.data.project, stage: task.data.stage, service: task.data.service, ...data },
  };
  const response = await fetch(agentEventUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event),
  });
  if (!response.ok) console.error(`the agent refused ${event.type}: ${response.status} ${await response.text()}`);
}

createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    response.writeHead(200).end(); // acknowledge at once; work afterwards
    const task = JSON.parse(body);
    if (task.type === 'sh.shipmate.task.aborted') return console.log(`task ${task.triggeredid} was aborted`);
    if (!task.type.endsWith('.triggered')) return;
    console.log(`got ${task.type} for ${task.data.project}/${task.data.stage}/${task.data.service}`);
    void (async () => {
      await answer(task, 'started', { status: 'succeeded' });
      // ... the real work goes here ...
      await answer(task, 'finished', {
        status: 'succeeded',
        result: 'pass',
        message: 'done by my-recipient',
        // data for the tasks after it, under the task's name (the greet job prints it)
        [task.type.split('.')[3]]: { channel: '#deployments' },
      });
    })();
  });
}).listen(port, '127.0.0.1', () => console.log(`recipient listening on http://127.0.0.1:${port}`));
