import { describe, expect, it } from 'vitest';
import { ErrorCode, InputError } from '@shipmate/core';
import { filterToEventQuery, parseDatastoreFilter } from './datastore-filter.js';

function parseError(filter: string): InputError {
  try {
    parseDatastoreFilter(filter);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error(`expected filter '${filter}' to be rejected`);
}

describe('parseDatastoreFilter', () => {
  it('reads the lighthouse "previous evaluations" filter', () => {
    expect(parseDatastoreFilter('data.project:p AND data.stage:s AND data.service:svc AND data.result:pass,warning')).toEqual([
      { key: 'data.project', values: ['p'] },
      { key: 'data.stage', values: ['s'] },
      { key: 'data.service', values: ['svc'] },
      { key: 'data.result', values: ['pass', 'warning'] },
    ]);
  });

  it('keeps colons after the first one in the value', () => {
    expect(parseDatastoreFilter('shkeptncontext:c1 AND data.image:docker.io/x:1.2')).toEqual([
      { key: 'shkeptncontext', values: ['c1'] },
      { key: 'data.image', values: ['docker.io/x:1.2'] },
    ]);
  });

  it.each([
    ['data.project', "filter clause 'data.project' is not key:value"],
    ['data.project:', "filter clause 'data.project:' is not key:value"],
    [':p', "filter clause ':p' is not key:value"],
    ['data.project:p AND ', "filter clause '' is not key:value"],
    ['data.project:p and data.stage:dev', "'data.project:p and data.stage:dev'"],
  ])('rejects %j naming the clause and the expected form', (filter, fragment) => {
    const error = parseError(filter);
    expect(error.code).toBe(ErrorCode.invalidField);
    expect(error.message).toContain(fragment);
    expect(error.message).toContain("joined by ' AND '");
  });

  it('rejects unknown top-level keys and lists the allowed ones', () => {
    const error = parseError('data.project:p AND color:blue');
    expect(error.message).toContain("unknown key 'color'");
    expect(error.message).toContain('shkeptncontext, source, id, type, triggeredid or data.<field>');
  });

  it('rejects empty values in a list and repeated keys', () => {
    expect(parseError('data.project:p AND data.result:pass,').message).toContain("filter clause 'data.result:pass,' has an empty value");
    expect(parseError('data.project:p AND data.project:q').message).toContain("filter names 'data.project' twice");
  });

  it("requires data.project or shkeptncontext with Keptn's message", () => {
    const error = parseError('data.stage:dev');
    expect(error.code).toBe(ErrorCode.missingField);
    expect(error.message).toContain("either 'shkeptncontext' or 'data.project' must be set");
  });

  it('rejects an empty filter', () => {
    expect(parseError('  ').message).toContain('filter is empty');
  });
});

describe('filterToEventQuery', () => {
  it('maps single top-level values to their fields and the rest to fieldIn', () => {
    const clauses = parseDatastoreFilter(
      'shkeptncontext:ctx AND source:lighthouse-service AND id:e1 AND type:t AND triggeredid:tr AND data.project:p AND data.result:pass,warning',
    );
    expect(filterToEventQuery(clauses)).toEqual({
      keptnContext: 'ctx',
      source: 'lighthouse-service',
      eventId: 'e1',
      type: 't',
      triggeredId: 'tr',
      fieldIn: { 'data.project': ['p'], 'data.result': ['pass', 'warning'] },
    });
  });

  it('puts several values of a top-level key into fieldIn', () => {
    expect(filterToEventQuery(parseDatastoreFilter('shkeptncontext:a,b'))).toEqual({ fieldIn: { shkeptncontext: ['a', 'b'] } });
  });
});
