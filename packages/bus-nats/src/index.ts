// Public entry point of @shipmate/bus-nats: the NATS adapter of the replicas' notice bus and the
// JetStream task delivery for in-cluster execution planes.
export { createNatsNoticeBus } from './nats-notice-bus.js';
export type { NatsNoticeBus, NatsNoticeBusOptions } from './nats-notice-bus.js';
export { connectNats } from './nats-connection.js';
export type { NatsConnectionOptions, WatchedNatsConnection } from './nats-connection.js';
export { NATS_URL_SCHEMES, isNatsUrl, parseNatsUrl } from './nats-url.js';
export type { NatsUrl } from './nats-url.js';
export { createJetStreamTaskPublisher } from './jetstream-task-publisher.js';
export type { JetStreamTaskPublisher, JetStreamTaskPublisherOptions, OpenTaskSource } from './jetstream-task-publisher.js';
export { DEFAULT_TASK_MAX_AGE_MS, TASK_STREAM_SUBJECT, ensureTaskStream, taskSubject } from './task-stream.js';
export { DEFAULT_TASK_STREAM, checkStreamName, checkSubjectPrefix } from './nats-names.js';
export { createJetStreamTaskSource, taskConsumerName } from './jetstream-task-source.js';
export type { JetStreamTaskSource, JetStreamTaskSourceOptions } from './jetstream-task-source.js';
