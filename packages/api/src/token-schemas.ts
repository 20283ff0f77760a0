/** Schemas of Shipmate's token API (`/api/shipmate/v1/token`, docs/security.md). */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ReadonlyArrayOf, StringEnum } from './schema-helpers.js';

const stringList = () => Type.Optional(ReadonlyArrayOf(Type.String()));

/** Which projects, stages and services a token may act on. */
export const tokenFiltersSchema = Type.Object({ projects: stringList(), stages: stringList(), services: stringList() });

const summaryProperties = {
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  role: Type.Optional(StringEnum(['execution-plane'])),
  filters: Type.Optional(tokenFiltersSchema),
  createdAt: Type.Optional(Type.String()),
  lastUsedAt: Type.Optional(Type.String()),
  revokedAt: Type.Optional(Type.String()),
};

/** A created token without the token itself. */
export const tokenSummarySchema = Type.Object(summaryProperties);
/** A created token without the token itself. */
export type TokenSummary = Static<typeof tokenSummarySchema>;

/** Body of `POST /token` (checked by the token registry with messages that name the field). */
export const createTokenBodySchema = Type.Object({
  name: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
  filters: Type.Optional(tokenFiltersSchema),
});
/** Body of `POST /token`. */
export type CreateTokenBody = Static<typeof createTokenBodySchema>;

/** Answer of `POST /token`: the summary and, this once, the token. */
export const createdTokenSchema = Type.Object({ ...summaryProperties, token: Type.Optional(Type.String()) });
/** Answer of `POST /token`. */
export type CreatedToken = Static<typeof createdTokenSchema>;

/** Answer of `GET /token`. */
export const tokenListSchema = Type.Object({ tokens: Type.Optional(ReadonlyArrayOf(tokenSummarySchema)) });
/** Answer of `GET /token`. */
export type TokenList = Static<typeof tokenListSchema>;

/** `{id}` of `DELETE /token/{id}`. */
export const tokenParams = Type.Object({ id: Type.String() });
