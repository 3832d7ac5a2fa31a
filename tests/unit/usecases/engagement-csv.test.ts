/** The engagement export's cells: RFC 4180 quoting, and nothing a spreadsheet would run. */
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../../shared/usecases/engagement';

describe('a CSV cell', () => {
  it('prefixes a text a spreadsheet would take for a formula with a single quote', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+44 20 7946 0000')).toBe("'+44 20 7946 0000");
    expect(csvCell('-2 dead in crash')).toBe("'-2 dead in crash");
    expect(csvCell('@newsroom')).toBe("'@newsroom");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
    expect(csvCell('\r=cmd')).toBe(`"'\r=cmd"`);
  });

  it('quotes a cell holding a comma, a quote or a line break, doubling its quotes', () => {
    expect(csvCell('Ports, rail and "roads"')).toBe('"Ports, rail and ""roads"""');
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('leaves plain text and counts as they are, and an absent count empty', () => {
    expect(csvCell('Latin America')).toBe('Latin America');
    expect(csvCell(1200)).toBe('1200');
    expect(csvCell(undefined)).toBe('');
  });
});
