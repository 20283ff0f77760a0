// Public entry point of @shipmate/testing: contract suites per port, fixture builders and helpers
// that start real servers (dev only). Explicit exports only.
export { describeStoreContract } from './store-contract.js';
export { describeRegistryStoreContract, fixtureIntegration, fixtureInstance } from './registry-store-contract.js';
export { describeTaskLeaseStoreContract, fixtureLease } from './task-lease-store-contract.js';
export { describeResourceStoreContract } from './resource-store-contract.js';
export { describeSecretStoreContract, fixtureSecret } from './secret-store-contract.js';
export { describeApiTokenStoreContract, fixtureApiToken } from './api-token-store-contract.js';
export { createMemoryStore } from './memory-store.js';
export type { MemoryControlPlaneStore } from './memory-store.js';
export {
  at,
  nextId,
  fixtureEvent,
  fixtureExecution,
  fixtureOpenTriggered,
  fixtureProject,
  fixtureSequenceState,
  fixtureTimer,
} from './store-fixtures.js';
export type { EventFixture, ExecutionFixture, SequenceStateFixture } from './store-fixtures.js';
export { KeptnApiClient, waitFor } from './keptn-api-client.js';
export type { ApiResponse, SequenceStateView } from './keptn-api-client.js';
export { freePort, startServerProcess } from './server-process.js';
export { SHIPMATE_BIN, exitOf, spawnShipmate, waitUntilReady } from './shipmate-process.js';
export type { SpawnShipmateOptions } from './shipmate-process.js';
export type { ShipmateProcess } from './shipmate-process.js';
export { spawnAgentProcess, startAgentProcess } from './agent-process.js';
export type { AgentProcess, AgentProcessOptions } from './agent-process.js';
export { startRecipient } from './recipient.js';
export { startGitHttpServer } from './git-http-server.js';
export { GitUpstream, LOCAL_TEST_UPSTREAMS, LOCAL_TEST_UPSTREAM_ENV, personGit, personGitAsync } from './git-upstream.js';
export {
  createCertificateAuthority,
  createSelfSignedCertificate,
  issueServerCertificate,
  opensslUnavailable,
} from './self-signed-certificate.js';
export type { CertificateAuthority, SelfSignedCertificate } from './self-signed-certificate.js';
export { createSshKeyPair, sshdUnavailable, startSshGitServer } from './ssh-git-server.js';
export type { SshGitServer, SshKeyPair } from './ssh-git-server.js';
export type { GitHttpServer, GitHttpServerOptions } from './git-http-server.js';
export type { Recipient, RecipientOptions, ReceivedEvent } from './recipient.js';
export type { ServerProcess, ServerProcessOptions } from './server-process.js';
export { shipyardYaml, manualClock } from './test-fixtures.js';
export { fuzzApi, seededRandom } from './api-fuzzer.js';
export type { FuzzOptions, FuzzRequest, FuzzResult, FuzzSchema, OpenApiDocument } from './api-fuzzer.js';
export { prometheusUnavailable, startPrometheus, waitForScrapedWindow } from './prometheus-server.js';
export type { PrometheusServer, PrometheusServerOptions, ScrapeJob } from './prometheus-server.js';
export {
  SAMPLE_BUCKETS,
  SAMPLE_LATENCY_MS,
  SAMPLE_SERVICE_MAIN,
  createSampleService,
  parseSampleLatency,
  startSampleServiceProcess,
} from './sample-service.js';
export type { SampleService, SampleServiceOptions } from './sample-service.js';
export { helmBinary, helmUnavailable, readZipEntry } from './helm-binary.js';
export { VALIDATED_KINDS, validateKubernetesManifest } from './kubernetes-manifests.js';
export { parseMetricsText } from './metrics-text.js';
export type { MetricSample, MetricsText } from './metrics-text.js';
export { createNetworkHosts, networkNamespacesUnavailable } from './network-hosts.js';
export type { HostFetchOptions, NetworkHost, NetworkHosts, NetworkHostsOptions } from './network-hosts.js';
export { DEFAULT_TEST_POSTGRES_URL, TEST_POSTGRES_URL_ENV, createTestPostgresDatabase, testPostgresAdminUrl } from './postgres-database.js';
export type { TestPostgresDatabase, TestPostgresDatabaseOptions } from './postgres-database.js';
export { startRoundRobinProxy } from './round-robin-proxy.js';
export type { RoundRobinProxy } from './round-robin-proxy.js';
export {
  DEFAULT_TEST_NATS_URL,
  START_TEST_NATS,
  TEST_NATS_URL_ENV,
  startCuttableNatsProxy,
  testNatsUrl,
  uniqueNatsName,
} from './nats-server.js';
export type { CuttableNatsProxy } from './nats-server.js';
