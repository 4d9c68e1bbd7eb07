// One quoted CSV row of an Exchange log → its values: d3-dsv parses (about 5x faster than csv-parse), and a row
// is accepted only when the line proves well-formed for what d3 read; anything else is left to csv-parse.
import { csvParseRows } from 'd3-dsv';

const QUOTE = 34;
const COMMA = 44;

/**
 * The values of `line` (one line, no line break) when it is well-formed RFC 4180 CSV, else null.
 *
 * For a well-formed row every RFC 4180 parser agrees (csv-parse included): each field is either written as
 * is (no leading quote, up to the next comma) or quoted with inner quotes doubled. d3-dsv is lenient where
 * csv-parse is strict or differs (a character after a closing quote, an unclosed quote, a bare CR), so the
 * values are checked against the line. d3 takes an unquoted field as the exact text up to the next comma,
 * and a quoted one as the text up to the first lone quote, unescaped; so walking the line with each field's
 * written length (its length, or for a quoted field 2 + length + its quotes) proves the row well-formed when
 * every quoted field starts and ends with a quote, every field is followed by a comma, and the last ends the
 * line. Lines that fail (damaged rows) return null and the caller parses them with csv-parse, which also
 * names the problem.
 */
export function parseCsvRow(line: string): string[] | null {
  if (line.indexOf('\r') !== -1) return null; // d3 ends a row at a bare CR; csv-parse may not
  const rows = csvParseRows(line);
  if (rows.length !== 1) return null;
  const rec = rows[0]!;
  let p = 0;
  for (let i = 0; i < rec.length; i++) {
    if (i > 0) {
      if (line.charCodeAt(p) !== COMMA) return null;
      p++;
    }
    const v = rec[i]!;
    if (line.charCodeAt(p) !== QUOTE) p += v.length;
    else {
      let written = v.length + 2;
      for (let q = v.indexOf('"'); q !== -1; q = v.indexOf('"', q + 1)) written++;
      p += written;
      if (line.charCodeAt(p - 1) !== QUOTE) return null;
    }
  }
  return p === line.length ? rec : null;
}
