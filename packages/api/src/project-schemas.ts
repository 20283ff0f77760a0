/** Schemas of the project, stage and service paths. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const S = () => Type.Optional(Type.String());

const gitCredentialsSchema = Type.Object(
  {
    remoteURL: S(),
    user: S(),
    https: Type.Optional(
      Type.Object({
        token: S(),
        certificate: S(),
        insecureSkipTLS: Type.Optional(Type.Boolean()),
        proxy: Type.Optional(Type.Object({ url: S(), scheme: S(), user: S(), password: S() })),
      }),
    ),
    ssh: Type.Optional(Type.Object({ privateKey: S(), privateKeyPass: S() })),
  },
  { description: 'Optional; without it the project has a local configuration only' },
);
/** A project's git upstream as a client sends it. */
export type GitCredentials = Static<typeof gitCredentialsSchema>;

/** Body of `POST /project` (unknown fields are rejected by the project service, as Keptn). */
export const createProjectBodySchema = Type.Object({
  name: S(),
  shipyard: Type.Optional(Type.String({ description: 'base64 of shipyard.yaml' })),
  gitCredentials: Type.Optional(gitCredentialsSchema),
});
/** Body of `POST /project`. */
export type CreateProjectBody = Static<typeof createProjectBodySchema>;

/** Body of `PUT /project`. */
export const updateProjectBodySchema = createProjectBodySchema;
/** Body of `PUT /project`. */
export type UpdateProjectBody = Static<typeof updateProjectBodySchema>;

/** Answer of `DELETE /project/{project}`. */
export const deleteProjectResponse = Type.Object({ message: S() });
/** Answer of `DELETE /project/{project}`. */
export type DeleteProjectResponse = Static<typeof deleteProjectResponse>;

/** Body of `POST /project/{project}/service`. */
export const createServiceBodySchema = Type.Object({ serviceName: S() });
/** Body of `POST /project/{project}/service`. */
export type CreateServiceBody = Static<typeof createServiceBodySchema>;

/** Answer of `DELETE /project/{project}/service/{service}`. */
export const deleteServiceResponse = Type.Object({
  message: Type.Optional(Type.String({ description: 'listed by Keptn swagger; Keptn and Shipmate send {}' })),
});

/** `{project}` path parameter. */
export const projectParams = Type.Object({ project: Type.String() });
/** `{project}/{stage}` path parameters. */
export const stageParams = Type.Object({ project: Type.String(), stage: Type.String() });
/** `{project}/{service}` path parameters. */
export const serviceParams = Type.Object({ project: Type.String(), service: Type.String() });
/** `{project}/{stage}/{service}` path parameters. */
export const stageServiceParams = Type.Object({ project: Type.String(), stage: Type.String(), service: Type.String() });
