/**
 * TypeBox builders for the JSON Schema shapes Keptn's contract uses that TypeBox's own builders
 * spell differently (`enum` instead of `anyOf` of literals, `additionalProperties: <schema>` instead
 * of `patternProperties`, `type: [x, 'null']` instead of `anyOf` with null). Each keeps the exact
 * JSON Schema the server served before the contract moved here and gives it the matching static type.
 */
import { Type } from '@sinclair/typebox';
import type { ObjectOptions, SchemaOptions, Static, TObject, TProperties, TSchema, TUnsafe } from '@sinclair/typebox';

/** `{type: 'string', enum: [...]}` typed as the union of the values. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** `{type: 'object', additionalProperties: <value>}`: a map from any key to `value`. */
export function MapOf<T extends TSchema>(value: T, options: SchemaOptions = {}): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', ...options, additionalProperties: value });
}

/** An object that also passes any other field (`additionalProperties: true`), typed with an index signature. */
export function OpenObject<T extends TProperties>(
  properties: T,
  options: ObjectOptions = {},
): TUnsafe<Static<TObject<T>> & { [key: string]: unknown }> {
  return Type.Unsafe<Static<TObject<T>> & { [key: string]: unknown }>(Type.Object(properties, { ...options, additionalProperties: true }));
}

/**
 * `{type: 'object', additionalProperties: true}` without listed fields: any JSON object, typed
 * `object` so that the domain's interfaces (which have no index signature) are accepted.
 */
export function AnyObject(options: SchemaOptions = {}): TUnsafe<object> {
  return Type.Unsafe<object>({ type: 'object', additionalProperties: true, ...options });
}

/** `{type: 'array', items}` typed as a readonly array (the domain hands out readonly lists). */
export function ReadonlyArrayOf<T extends TSchema>(items: T, options: SchemaOptions = {}): TUnsafe<readonly Static<T>[]> {
  return Type.Unsafe<readonly Static<T>[]>(Type.Array(items, options));
}

/** The schema with `type: [<its type>, 'null']`, typed as its type or null. */
export function OrNull<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnsafe<Static<T> | null> {
  const type: unknown = schema.type;
  if (typeof type !== 'string') throw new TypeError('OrNull needs a schema with a single type');
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'], ...options });
}
