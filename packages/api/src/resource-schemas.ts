/** Schemas of the resource API (Keptn's resource service, control-plane.md §7.2; Keptn publishes no swagger file for it). */
import { Type } from '@sinclair/typebox';
import type { Static, TUnsafe } from '@sinclair/typebox';

const S = (description?: string) => Type.Optional(Type.String(description === undefined ? {} : { description }));

const metadataSchema = () =>
  Type.Optional(
    Type.Object({
      upstreamURL: S('URL of the upstream repository; empty while upstream mirroring is not configured'),
      version: S('git commit the resource was read from or written in'),
    }),
  );

/** One resource; `resourceContent` (base64) only when a single resource is read. */
export const resourceSchema = Type.Object({
  resourceURI: S(),
  resourceContent: S('base64 of the file'),
  metadata: metadataSchema(),
});
/** One resource of the resource API. */
export type Resource = Static<typeof resourceSchema>;

/** `GET .../resource`: Keptn's in-memory pagination (`nextPageKey` a string, "0" at the end). */
export const resourceListSchema = Type.Object({
  resources: Type.Optional(Type.Array(resourceSchema)),
  nextPageKey: S(),
  totalCount: Type.Optional(Type.Integer()),
});
/** `GET .../resource`. */
export type ResourceList = Static<typeof resourceListSchema>;

/** Result of every write. */
export const writeResultSchema = Type.Object({ commitID: S(), metadata: metadataSchema() });
/** Result of every resource write. */
export type WriteResult = Static<typeof writeResultSchema>;

/** Body of `POST`/`PUT .../resource` (details are checked by the resource service). */
export const resourcesBodySchema = Type.Object({
  resources: Type.Optional(
    Type.Array(
      Type.Object({
        resourceURI: S('path relative to the level, e.g. helm/carts.tgz'),
        resourceContent: S('base64 of the file'),
      }),
    ),
  ),
});
/** Body of `POST`/`PUT .../resource`. */
export type ResourcesBody = Static<typeof resourcesBodySchema>;

/** Body of `PUT .../resource/{resourceURI}`. */
export const resourceBodySchema = Type.Object({
  resourceURI: S('ignored; the path names the resource'),
  resourceContent: S('base64 of the file'),
});
/** Body of `PUT .../resource/{resourceURI}`. */
export type ResourceBody = Static<typeof resourceBodySchema>;

/** Query of the reads. */
export const resourceQuerySchema = Type.Object({
  gitCommitID: S('read at this commit instead of the branch tip'),
  pageSize: S('list only; number of items, default 20 (also for 0)'),
  nextPageKey: S('list only; nextPageKey of the previous page'),
});
/** Query of the resource reads. */
export type ResourceQuery = Static<typeof resourceQuerySchema>;

/** Path parameters of any of the three levels, with `resourceURI` on the single-resource paths. */
export interface ResourceLevelParams {
  project: string;
  stage?: string;
  service?: string;
  resourceURI?: string;
}

/** Path parameters of a level, plus `resourceURI` when `withUri`. */
export function resourceParams(names: readonly string[], withUri: boolean): TUnsafe<ResourceLevelParams> {
  const all = withUri ? [...names, 'resourceURI'] : [...names];
  return Type.Unsafe<ResourceLevelParams>({
    type: 'object',
    required: all,
    properties: Object.fromEntries(
      all.map((name) => [
        name,
        { type: 'string', ...(name === 'resourceURI' ? { description: 'URL-encoded path, e.g. helm%2Fcarts.tgz' } : {}) },
      ]),
    ),
  });
}
