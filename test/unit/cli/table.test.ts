import {
  box,
  clean,
  formatFields,
  formatTable,
  formatTime,
  relativeTime,
  timeWithRelative,
  width,
} from '../../../bin/table';

describe('formatTable', () => {
  it('aligns columns under upper-case headers, two spaces apart, without trailing spaces', () => {
    const out = formatTable(
      ['id', 'Name', 'State'],
      [
        ['c1', 'Okta production', 'active'],
        ['c22', 'Entra', undefined],
      ],
    );
    expect(out.split('\n')).toEqual([
      'ID   NAME             STATE',
      'c1   Okta production  active',
      'c22  Entra            -',
    ]);
  });

  it('right-aligns columns on request', () => {
    expect(
      formatTable(
        ['N', 'X'],
        [
          [5, 'a'],
          [120, 'b'],
        ],
        { align: ['right', 'left'] },
      ).split('\n'),
    ).toEqual(['  N  X', '  5  a', '120  b']);
  });

  it('prints only the header for no rows', () => {
    expect(formatTable(['A', 'B'], [])).toBe('A  B');
  });

  it('joins arrays and shows empty values as -', () => {
    expect(formatTable(['A', 'B'], [[['x', 'y'], '']])).toBe('A     B\nx, y  -');
  });

  it('cuts long cells with an ellipsis when a column has a maximum width', () => {
    expect(formatTable(['Name'], [['abcdefghij']], { maxWidth: [5] })).toBe('NAME\nabcd…');
  });

  it('counts code points, not UTF-16 units', () => {
    expect(width('é😀')).toBe(2);
    expect(formatTable(['A', 'B'], [['😀😀', 'x']]).split('\n')).toEqual(['A   B', '😀😀  x']);
  });

  it('neutralises terminal control characters from the server', () => {
    expect(clean('evil\u001b[31mred\u0007\n')).toBe('evil?[31mred??');
    expect(formatTable(['UA'], [['curl\r\nX']])).toBe('UA\ncurl??X');
  });
});

describe('formatFields', () => {
  it('aligns values after the labels and skips undefined ones', () => {
    expect(
      formatFields(
        [
          ['ID', 'c1'],
          ['Client ID', 'scgi_x'],
          ['Username', undefined],
        ],
        '  ',
      ),
    ).toBe('  ID:         c1\n  Client ID:  scgi_x');
  });
});

describe('box', () => {
  it('frames the lines and never wraps them', () => {
    const secret = 'scgb_' + 'A'.repeat(49);
    const lines = box(['Copy it now.', '', secret]).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[3]).toBe(`│  ${secret}  │`);
    expect(new Set(lines.map(width)).size).toBe(1);
  });
});

describe('times', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it('formats instants to the minute in UTC', () => {
    expect(formatTime('2026-03-04T05:06:07.890Z')).toBe('2026-03-04 05:06Z');
    expect(formatTime('not a date')).toBe('not a date');
    expect(formatTime(undefined)).toBeUndefined();
  });

  it.each([
    ['2026-01-31T00:00:00Z', 'in 30d'],
    ['2026-01-01T05:30:00Z', 'in 5h'],
    ['2025-12-31T23:58:00Z', '2m ago'],
    ['2026-01-01T00:00:10Z', 'just now'],
    ['2025-12-01T00:00:00Z', '31d ago'],
  ])('%s is %s', (iso, expected) => {
    expect(relativeTime(iso, now)).toBe(expected);
  });

  it('combines both', () => {
    expect(timeWithRelative('2026-01-31T00:00:00Z', now)).toBe('2026-01-31 00:00Z (in 30d)');
  });
});
