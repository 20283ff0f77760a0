/**
 * The resource API (Keptn's resource service) over a `ResourceStore`: checks URIs, decodes and
 * size-checks base64 content, pages listings, and shapes Keptn's bodies. A `shipyard.yaml` written
 * at the project level is checked like `PUT /project` and recorded in the project.
 */
import { ErrorCode, InputError, checkResourceUri, checkResourceUriFromPath, decodeResourceContent, isPlainObject } from '@shipmate/core';
import type { KeyedMutex, ResourceFile, ResourceLevel, ResourceStore } from '@shipmate/core';
import { paginateInMemory, parseInMemoryPageRequest } from '../http/pagination.js';
import type { PaginationQuery } from '../http/pagination.js';
import type { ProjectService } from '../projects/project-service.js';

/** `metadata` of Keptn's resource bodies; `upstreamURL` is the project's upstream, or empty. */
export interface ResourceMetadata {
  upstreamURL: string;
  version: string;
}

/** One item of a listing (no content). */
export interface ResourceBody {
  resourceURI: string;
  metadata: ResourceMetadata;
}

/** One file read for a GET; resource-json.ts writes its body. */
export interface ResourceRead {
  resourceURI: string;
  content: Buffer;
  metadata: ResourceMetadata;
}

/** `GET .../resource`. */
export interface ResourceListBody {
  resources: ResourceBody[];
  nextPageKey: string;
  totalCount: number;
}

/** Result of every write. */
export interface WriteResultBody {
  commitID: string;
  metadata: ResourceMetadata;
}

/** Query of the reads. */
export interface ResourceQuery extends PaginationQuery {
  readonly gitCommitID?: string;
}

/** Settings of {@link createResourceService}. */
export interface ResourceServiceOptions {
  resources: ResourceStore;
  projects: ProjectService;
  locks: KeyedMutex;
  /** Largest decoded file (SHIPMATE_MAX_RESOURCE_BYTES). */
  maxResourceBytes: number;
  /** The project's upstream URL for `metadata.upstreamURL` ('' when none). */
  upstreamURL?: (project: string) => string;
}

/** The use cases behind the resource routes. */
export interface ResourceService {
  list(level: ResourceLevel, query: ResourceQuery): Promise<ResourceListBody>;
  /** The file at the tip or at `gitCommitID`. */
  get(level: ResourceLevel, uriFromPath: string, query: ResourceQuery): Promise<ResourceRead>;
  /** POST/PUT `.../resource` with `{resources: [{resourceURI, resourceContent}]}`. */
  writeMany(level: ResourceLevel, body: unknown): Promise<WriteResultBody>;
  /** PUT `.../resource/{uri}` with `{resourceContent}`. */
  writeOne(level: ResourceLevel, uriFromPath: string, body: unknown): Promise<WriteResultBody>;
  delete(level: ResourceLevel, uriFromPath: string): Promise<WriteResultBody>;
}

const SHIPYARD = 'shipyard.yaml';

const commitOf = (query: ResourceQuery) => (query.gitCommitID ? query.gitCommitID : undefined);

/** Creates the resource service. */
export function createResourceService(options: ResourceServiceOptions): ResourceService {
  const { resources, projects, locks, maxResourceBytes } = options;
  const upstreamURL = options.upstreamURL ?? (() => '');
  const metadata = (project: string, version: string): ResourceMetadata => ({ upstreamURL: upstreamURL(project), version });
  const writeResult = (project: string, commitID: string): WriteResultBody => ({ commitID, metadata: metadata(project, commitID) });

  function file(uri: unknown, content: unknown): ResourceFile {
    const checked = checkResourceUri(uri);
    return { uri: checked, content: decodeResourceContent(content, checked, maxResourceBytes) };
  }

  async function write(level: ResourceLevel, files: ResourceFile[]): Promise<WriteResultBody> {
    const put = () => resources.putResources(level, files);
    const shipyard = level.stage === undefined ? files.find((f) => f.uri === SHIPYARD) : undefined;
    const commit = shipyard
      ? await projects.changeShipyard(level.project, shipyard.content.toString('utf8'), put)
      : await locks.run(level.project, put);
    return writeResult(level.project, commit);
  }

  return {
    async list(level, query) {
      const page = parseInMemoryPageRequest(query);
      const listing = await resources.listResources(level, commitOf(query));
      const { items, nextPageKey, totalCount } = paginateInMemory(listing.uris, page);
      return {
        resources: items.map((resourceURI) => ({ resourceURI, metadata: metadata(level.project, listing.commit) })),
        nextPageKey,
        totalCount,
      };
    },

    async get(level, uriFromPath, query) {
      const uri = checkResourceUriFromPath(uriFromPath);
      const read = await resources.getResource(level, uri, commitOf(query));
      return { resourceURI: uri, content: read.content, metadata: metadata(level.project, read.commit) };
    },

    async writeMany(level, body) {
      const list = isPlainObject(body) ? body.resources : undefined;
      if (!Array.isArray(list) || list.length === 0) {
        throw new InputError(
          ErrorCode.missingField,
          `Invalid request format: give {"resources":[{"resourceURI":"slo.yaml","resourceContent":"<base64>"}]} with at least one resource`,
        );
      }
      const files = list.map((item: unknown) => {
        if (!isPlainObject(item))
          throw new InputError(
            ErrorCode.invalidField,
            'Invalid request format: each item of resources must be an object with resourceURI and resourceContent',
          );
        return file(item.resourceURI, item.resourceContent);
      });
      return write(level, files);
    },

    async writeOne(level, uriFromPath, body) {
      const uri = checkResourceUriFromPath(uriFromPath);
      if (!isPlainObject(body)) throw new InputError(ErrorCode.invalidField, 'Invalid request format: give {"resourceContent":"<base64>"}');
      return write(level, [file(uri, body.resourceContent)]);
    },

    async delete(level, uriFromPath) {
      const uri = checkResourceUriFromPath(uriFromPath);
      if (level.stage === undefined && uri === SHIPYARD) {
        throw new InputError(
          ErrorCode.invalidField,
          `the shipyard of project '${level.project}' cannot be deleted; update it with PUT, or delete the project`,
        );
      }
      return writeResult(level.project, await locks.run(level.project, () => resources.deleteResource(level, uri)));
    },
  };
}
