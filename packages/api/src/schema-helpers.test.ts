import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { AnyObject, MapOf, OpenObject, OrNull, ReadonlyArrayOf, StringEnum } from './schema-helpers.js';

/** The JSON a schema serializes to (TypeBox's symbol keys left out, as in the served document). */
const json = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema));

describe('schema helpers keep the JSON Schema spelling of the served document', () => {
  it.each([
    {
      name: 'StringEnum',
      schema: StringEnum(['a', 'b'], { description: 'd' }),
      expected: { type: 'string', enum: ['a', 'b'], description: 'd' },
    },
    { name: 'MapOf', schema: MapOf(Type.String()), expected: { type: 'object', additionalProperties: { type: 'string' } } },
    { name: 'AnyObject', schema: AnyObject(), expected: { type: 'object', additionalProperties: true } },
    {
      name: 'OpenObject',
      schema: OpenObject({ a: Type.String() }),
      expected: { type: 'object', additionalProperties: true, properties: { a: { type: 'string' } }, required: ['a'] },
    },
    { name: 'OrNull', schema: OrNull(Type.String(), { description: 'd' }), expected: { type: ['string', 'null'], description: 'd' } },
    { name: 'ReadonlyArrayOf', schema: ReadonlyArrayOf(Type.String()), expected: { type: 'array', items: { type: 'string' } } },
  ])('$name', ({ schema, expected }) => {
    expect(json(schema)).toEqual(expected);
  });

  it('refuses OrNull of a schema without a single type', () => {
    expect(() => OrNull(Type.Unknown())).toThrow('OrNull needs a schema with a single type');
  });
});
