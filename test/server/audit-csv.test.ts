/**
 * The audit's CSV writer (server/src/services/audit.ts), without Strapi: every field quoted, and a
 * text cell a spreadsheet would run as a formula (= + - @, tab, CR first) defused with a quote.
 */
import { toCsv } from '../../server/src/services/audit';

test('every field is quoted, quotes doubled, CRLF line ends', () => {
  expect(
    toCsv(
      ['id', 'text'],
      [
        [1, 'plain'],
        [2, 'a "quoted", text\nover lines'],
        [3, null],
        [4, undefined],
      ],
    ),
  ).toBe('"id","text"\r\n"1","plain"\r\n"2","a ""quoted"", text\nover lines"\r\n"3",""\r\n"4",""\r\n');
});

test.each([
  ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
  ['+1+2', `"'+1+2"`],
  ['-2+3', `"'-2+3"`],
  ['@SUM(A1)', `"'@SUM(A1)"`],
  ['\t=1+2', `"'\t=1+2"`],
  ['\r=1+2', `"'\r=1+2"`],
  // A separator inside a cell cannot start a new one: the field is quoted.
  ['a,=1+2;=3', `"a,=1+2;=3"`],
])('a text cell %j is written %s', (text, cell) => {
  expect(toCsv(['c'], [[text]])).toBe(`"c"\r\n${cell}\r\n`);
});

test('numbers stay numbers; each entry of a list is defused before the join', () => {
  expect(toCsv(['confidence', 'reasons'], [[-1.25, ['no-alt-text', '=cmd']]])).toBe(`"confidence","reasons"\r\n"-1.25","no-alt-text;'=cmd"\r\n`);
});
