/**
 * The sample service as a program: `node sample-service-main.js --latency fast|slow|<ms> [--port N]
 * [--rps N]` (or SAMPLE_LATENCY, PORT, SAMPLE_RPS). Prints `listening on <url>`; stops on SIGTERM.
 */
import { parseArgs } from 'node:util';
import { createSampleService, parseSampleLatency } from './sample-service.js';

const { values } = parseArgs({
  options: { latency: { type: 'string' }, port: { type: 'string' }, rps: { type: 'string' } },
});
const latency = values.latency ?? process.env.SAMPLE_LATENCY ?? 'fast';
const port = values.port ?? process.env.PORT;
const rps = values.rps ?? process.env.SAMPLE_RPS;
const service = await createSampleService({
  latency: parseSampleLatency(latency),
  ...(port === undefined ? {} : { port: Number(port) }),
  ...(rps === undefined ? {} : { requestsPerSecond: Number(rps) }),
});
process.stdout.write(`sample service (latency ${service.latencyMs} ms) listening on ${service.url}\n`);
const stop = () => void service.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
