// Public entry point of @shipmate/server: the control-plane HTTP server as a library.
export { createControlPlaneServer, resolveServerOptions } from './create-server.js';
export type { ControlPlaneServer } from './create-server.js';
export type { ServerOptions, ResolvedServerOptions } from './server-options.js';
export { hashToken, createTokenVerifier } from './auth/token-verifier.js';
export type { TokenVerifier } from './auth/token-verifier.js';
export { SHIPMATE_VERSION } from './version.js';
export { parseRemoteUrlDenylist } from './projects/git-credentials.js';
export { checkServerTls } from './http/tls.js';
export type { ServerTls } from './http/tls.js';
