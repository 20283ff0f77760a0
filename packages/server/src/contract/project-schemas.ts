/** Schemas of the project, stage and service paths. */

const gitCredentialsSchema = {
  type: 'object',
  description: 'Optional; without it the project has a local configuration only',
  properties: {
    remoteURL: { type: 'string' },
    user: { type: 'string' },
    https: {
      type: 'object',
      properties: {
        token: { type: 'string' },
        certificate: { type: 'string' },
        insecureSkipTLS: { type: 'boolean' },
        proxy: { type: 'object', properties: { url: { type: 'string' }, scheme: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' } } },
      },
    },
    ssh: { type: 'object', properties: { privateKey: { type: 'string' }, privateKeyPass: { type: 'string' } } },
  },
} as const;

/** Body of `POST /project` (unknown fields are rejected by the project service, as Keptn). */
export const createProjectBodySchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    shipyard: { type: 'string', description: 'base64 of shipyard.yaml' },
    gitCredentials: gitCredentialsSchema,
  },
} as const;

/** Body of `PUT /project`. */
export const updateProjectBodySchema = createProjectBodySchema;

/** `{project}` path parameter. */
export const projectParams = { type: 'object', required: ['project'], properties: { project: { type: 'string' } } } as const;
/** `{project}/{stage}` path parameters. */
export const stageParams = {
  type: 'object',
  required: ['project', 'stage'],
  properties: { project: { type: 'string' }, stage: { type: 'string' } },
} as const;
/** `{project}/{service}` path parameters. */
export const serviceParams = {
  type: 'object',
  required: ['project', 'service'],
  properties: { project: { type: 'string' }, service: { type: 'string' } },
} as const;
/** `{project}/{stage}/{service}` path parameters. */
export const stageServiceParams = {
  type: 'object',
  required: ['project', 'stage', 'service'],
  properties: { project: { type: 'string' }, stage: { type: 'string' }, service: { type: 'string' } },
} as const;
