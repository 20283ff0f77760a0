import { describe, expect, it } from 'vitest';
import type { Style } from './verb-output.js';
import { colourWanted, createStyle, displayTime, parseOutputFormat, renderData, renderTable } from './verb-output.js';

const rows = [
  { name: 'shop', state: 'pass', note: 'two\nlines' },
  { name: 'sockshop', state: 'fail', note: '' },
];
const columns = [
  { header: 'NAME', value: (row: (typeof rows)[number]) => row.name },
  { header: 'STATE', value: (row: (typeof rows)[number]) => row.state, tone: (cell: string, style: Style) => style.outcome(cell) },
  { header: 'NOTE', value: (row: (typeof rows)[number]) => row.note },
];

describe('renderTable', () => {
  it('aligns columns two spaces apart, one line per row, without trailing blanks', () => {
    expect(renderTable(rows, columns, createStyle(false))).toBe(
      ['NAME      STATE  NOTE', 'shop      pass   two lines', 'sockshop  fail'].join('\n') + '\n',
    );
  });

  it('colours after padding, so escape codes do not shift columns', () => {
    const lines = renderTable(rows, columns, createStyle(true)).split('\n');
    expect(lines[1]).toBe('shop      \u001b[32mpass\u001b[39m   two lines');
    expect(lines[2]).toBe('sockshop  \u001b[31mfail\u001b[39m');
    expect(lines[0]).toBe('\u001b[1mNAME\u001b[22m      \u001b[1mSTATE\u001b[22m  \u001b[1mNOTE\u001b[22m');
  });

  it('prints the header alone for no rows', () => {
    expect(renderTable([], columns, createStyle(false))).toBe('NAME  STATE  NOTE\n');
  });
});

describe('renderData and parseOutputFormat', () => {
  it('prints JSON and YAML that parse back', () => {
    const value = { projects: [{ name: 'shop', stages: ['dev'] }] };
    expect(JSON.parse(renderData('json', value))).toEqual(value);
    expect(renderData('yaml', value)).toBe('projects:\n  - name: shop\n    stages:\n      - dev\n');
  });

  it.each([
    [undefined, 'table'],
    ['json', 'json'],
    ['YAML', 'yaml'],
    ['table', 'table'],
  ])('-o %s is %s', (flag, format) => {
    expect(parseOutputFormat(flag)).toBe(format);
  });

  it('refuses another format with the choices', () => {
    expect(() => parseOutputFormat('xml')).toThrow("-o 'xml' is not an output format: give table, json or yaml");
  });
});

describe('colourWanted', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { TERM: 'dumb' }, false],
  ])('terminal %s with %j: %s', (isTTY, env, wanted) => {
    expect(colourWanted({ isTTY }, env)).toBe(wanted);
  });
});

describe('displayTime', () => {
  it('shows unix nanoseconds and ISO times in UTC to the second', () => {
    expect(displayTime('1714564800123000000')).toBe('2024-05-01 12:00:00Z');
    expect(displayTime('2024-05-01T12:00:00.123Z')).toBe('2024-05-01 12:00:00Z');
    expect(displayTime(undefined)).toBe('');
    expect(displayTime('soon')).toBe('soon');
  });
});
