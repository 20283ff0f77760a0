import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/errors.js';
import { ErrorCode } from '../errors/error-codes.js';
import { isValidEntityName, validateProjectName, validateServiceName, validateStageName } from './validate-names.js';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe(ErrorCode.invalidName);
    return (error as InputError).message;
  }
  throw new Error('expected an InputError');
}

describe('entity names (project and stage)', () => {
  it.each(['a', 'ab', 'a1', 'my-shop', 'a-b-c', 'shop2', 'a--b', 'x'.repeat(200)])("'%s' is valid", (name) => {
    expect(isValidEntityName(name)).toBe(true);
    expect(validateProjectName(name)).toBe(name);
    expect(validateStageName(name)).toBe(name);
  });

  it.each([
    {
      name: 'My_Shop',
      want: "project name 'My_Shop' is invalid: it must start with a lower-case letter and contain only lower-case letters, digits and '-' (not ending in '-'), e.g. 'my-shop'",
    },
    { name: 'shop-', want: "project name 'shop-' is invalid: it must start with a lower-case letter" },
    { name: '1shop', want: "(not ending in '-'), e.g. 'shop'" },
    { name: '-shop', want: "e.g. 'shop'" },
    { name: 'shop.dev', want: "e.g. 'shop-dev'" },
    { name: 'a b', want: "project name 'a b' is invalid" },
    { name: '123', want: "project name '123' is invalid: it must start with a lower-case letter" },
    { name: '', want: "project name is empty; send a name such as 'my-shop'" },
    { name: 'x'.repeat(201), want: "it is 201 characters long, the maximum is 200; use a shorter name, e.g. 'my-shop'" },
    { name: 42, want: "project name must be a string, got number; send a name such as 'my-shop'" },
    { name: null, want: 'project name must be a string, got null' },
    { name: undefined, want: 'project name must be a string, got undefined' },
  ])('project name $name is rejected', ({ name, want }) => {
    expect(messageOf(() => validateProjectName(name))).toContain(want);
  });

  it('honours a custom maximum project name length', () => {
    expect(validateProjectName('abcde', 5)).toBe('abcde');
    expect(messageOf(() => validateProjectName('abcdef', 5))).toContain('the maximum is 5');
  });

  it.each([
    { name: 'Prod', want: "stage name 'Prod' is invalid: it must start with a lower-case letter" },
    { name: 'pre_prod', want: "e.g. 'pre-prod'" },
    { name: '', want: "stage name is empty; send a name such as 'production'" },
    { name: ['dev'], want: 'stage name must be a string, got object' },
  ])('stage name $name is rejected', ({ name, want }) => {
    expect(messageOf(() => validateStageName(name))).toContain(want);
  });

  it('accepts stage names up to 200 characters and refuses longer ones (they become git branches)', () => {
    expect(validateStageName('s'.repeat(200))).toHaveLength(200);
    expect(messageOf(() => validateStageName('s'.repeat(201)))).toContain('it is 201 characters long, the maximum is 200');
  });
});

describe('validateServiceName', () => {
  it.each(['carts', 'carts-db', 'a', 'front2', 'x'.repeat(43)])("'%s' is valid", (name) => {
    expect(validateServiceName(name)).toBe(name);
  });

  it.each([
    { name: '.', want: "service name '.' is invalid: it must be a valid directory name, not '.' or '..', e.g. 'carts'" },
    { name: '..', want: "not '.' or '..'" },
    { name: 'carts/db', want: "without any of / > < | : & (found '/'), e.g. 'carts-db'" },
    { name: 'a>b', want: "(found '>')" },
    { name: 'a<b', want: "(found '<')" },
    { name: 'a|b', want: "(found '|')" },
    { name: 'a:b', want: "(found ':')" },
    { name: 'a&b', want: "(found '&')" },
    {
      name: 'Carts',
      want: "service name 'Carts' is invalid: it must start with a lower-case letter and contain only lower-case letters, digits and '-' (not ending in '-'), e.g. 'carts'",
    },
    { name: 'carts_db', want: "e.g. 'carts-db'" },
    { name: '', want: "service name is empty; send a name such as 'carts'" },
    { name: 'x'.repeat(44), want: 'it is 44 characters long, the maximum is 43' },
    { name: 7, want: 'service name must be a string, got number' },
  ])('service name $name is rejected', ({ name, want }) => {
    expect(messageOf(() => validateServiceName(name))).toContain(want);
  });

  it('honours a custom maximum service name length', () => {
    expect(validateServiceName('x'.repeat(60), 63)).toHaveLength(60);
    expect(messageOf(() => validateServiceName('abcd', 3))).toContain('the maximum is 3');
  });
});
