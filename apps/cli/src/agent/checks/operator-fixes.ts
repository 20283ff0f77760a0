/** Fix texts that more than one check gives, in the terms of the execution-plane checklist. */

/** The answer did not come from a Keptn-compatible API. */
export const NOT_KEPTN_API_FIX =
  'this is not a Keptn-compatible API: check the hostname and that /api is served by the control plane (KEPTN_API_ENDPOINT=<protocol>://<hostname>/api)';

/** The control plane did not accept the token. */
export const WRONG_TOKEN_FIX =
  "KEPTN_API_TOKEN is wrong: copy the token of the control plane (Keptn: Secret keptn-api-token, Helm value remoteControlPlane.api.token; Shipmate: a plane token from shipmate token create, or the admin token printed at the server's first start or its SHIPMATE_API_TOKEN)";

/** Nothing reachable listens on the endpoint's port. */
export const NOT_EXPOSED_FIX =
  'check the port in KEPTN_API_ENDPOINT (http defaults to 80, https to 443) and that the control plane is exposed to this network (remote control plane mode: Shipmate server bound to a reachable address, Keptn api-gateway-nginx as LoadBalancer/NodePort or an ingress)';
