/** Schemas of the resource API (Keptn's resource service, control-plane.md §7.2; Keptn publishes no swagger file for it). */

const metadataSchema = {
  type: 'object',
  properties: {
    upstreamURL: { type: 'string', description: 'URL of the upstream repository; empty while upstream mirroring is not configured' },
    version: { type: 'string', description: 'git commit the resource was read from or written in' },
  },
} as const;

/** One resource; `resourceContent` (base64) only when a single resource is read. */
export const resourceSchema = {
  type: 'object',
  properties: {
    resourceURI: { type: 'string' },
    resourceContent: { type: 'string', description: 'base64 of the file' },
    metadata: metadataSchema,
  },
} as const;

/** `GET .../resource`: Keptn's in-memory pagination (`nextPageKey` a string, "0" at the end). */
export const resourceListSchema = {
  type: 'object',
  properties: {
    resources: { type: 'array', items: resourceSchema },
    nextPageKey: { type: 'string' },
    totalCount: { type: 'integer' },
  },
} as const;

/** Result of every write. */
export const writeResultSchema = {
  type: 'object',
  properties: { commitID: { type: 'string' }, metadata: metadataSchema },
} as const;

/** Body of `POST`/`PUT .../resource` (details are checked by the resource service). */
export const resourcesBodySchema = {
  type: 'object',
  properties: {
    resources: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          resourceURI: { type: 'string', description: 'path relative to the level, e.g. helm/carts.tgz' },
          resourceContent: { type: 'string', description: 'base64 of the file' },
        },
      },
    },
  },
} as const;

/** Body of `PUT .../resource/{resourceURI}`. */
export const resourceBodySchema = {
  type: 'object',
  properties: {
    resourceURI: { type: 'string', description: 'ignored; the path names the resource' },
    resourceContent: { type: 'string', description: 'base64 of the file' },
  },
} as const;

/** Query of the reads. */
export const resourceQuerySchema = {
  type: 'object',
  properties: {
    gitCommitID: { type: 'string', description: 'read at this commit instead of the branch tip' },
    pageSize: { type: 'string', description: 'list only; number of items, default 20 (also for 0)' },
    nextPageKey: { type: 'string', description: 'list only; nextPageKey of the previous page' },
  },
} as const;

/** Path parameters of a level, plus `resourceURI` when `withUri`. */
export function resourceParams(names: readonly string[], withUri: boolean) {
  const all = withUri ? [...names, 'resourceURI'] : [...names];
  return {
    type: 'object',
    required: all,
    properties: Object.fromEntries(
      all.map((name) => [
        name,
        { type: 'string', ...(name === 'resourceURI' ? { description: 'URL-encoded path, e.g. helm%2Fcarts.tgz' } : {}) },
      ]),
    ),
  } as const;
}
