/**
 * A fast path for splitting delimited text into rows, giving exactly the rows (fields and end
 * offsets) papaparse's Parser gives for the same text and dialect, for the inputs it accepts: fields
 * split with indexOf over the whole chunk, and a row without a quote character split with one
 * `String.split`. Whatever it does not reproduce exactly (a closing quote followed by anything but
 * the delimiter or the newline, an unterminated quote at the end of the input, an unusual dialect)
 * makes it answer null, and the caller falls back to papaparse for that text.
 *
 * Why: the CSV path went through papaparse's `step` callback, one result object per row, which put
 * tokenising alone at about the speed papaparse reaches on its own; the parser cannot then get near
 * it once mapping, dates and amounts are added.
 */
import type { Dialect } from "./delimited";

export interface TokenizedRow {
  fields: string[];
  /** Offset just past the row's newline (or the end of the text for a final unterminated row). */
  end: number;
}

const SIMPLE_DELIMITERS = new Set([",", ";", "\t", "|"]);
const SIMPLE_QUOTES = new Set(['"', "'"]);
const NEWLINES = new Set(["\n", "\r", "\r\n"]);

/**
 * Complete rows of `text`. When `final` is false, an unfinished last row (no newline after it yet,
 * or a quoted field still open) is left out, as papaparse's `ignoreLastRow` does; `consumed` is where
 * the next call must start. Null when the text needs papaparse.
 */
export function tokenizeRows(text: string, dialect: Dialect, final: boolean): { rows: TokenizedRow[]; consumed: number } | null {
  const { delimiter: delim, quoteChar: quote, newline } = dialect;
  if (!SIMPLE_DELIMITERS.has(delim) || !SIMPLE_QUOTES.has(quote) || !NEWLINES.has(newline)) return null;
  const rows: TokenizedRow[] = [];
  const len = text.length;
  if (len === 0) return { rows, consumed: 0 };
  const nlLen = newline.length;
  let cursor = 0;
  let nextQuote = text.indexOf(quote);
  let nextNewline = text.indexOf(newline);
  let nextDelim = text.indexOf(delim);
  rows: for (;;) {
    if (cursor === len) {
      // Text ending in a newline: papaparse gives a last row of one empty field when the input is final.
      if (final) rows.push({ fields: [""], end: len });
      break;
    }
    if (nextNewline !== -1 && nextNewline < cursor) nextNewline = text.indexOf(newline, cursor);
    if (nextQuote !== -1 && nextQuote < cursor) nextQuote = text.indexOf(quote, cursor);
    const stop = nextNewline === -1 ? len : nextNewline;
    if (nextQuote === -1 || nextQuote >= stop) {
      // No quote character on this row: its fields are the slices between the delimiters before the
      // newline, found with the delimiter position carried over from the row before. (A `String.split`
      // of the row's slice gave the same fields at about twice the cost: it was a third of the CSV
      // parse's samples.)
      if (nextNewline === -1 && !final) break;
      const fields: string[] = [];
      if (nextDelim !== -1 && nextDelim < cursor) nextDelim = text.indexOf(delim, cursor);
      while (nextDelim !== -1 && nextDelim < stop) {
        fields.push(text.slice(cursor, nextDelim));
        cursor = nextDelim + 1;
        nextDelim = text.indexOf(delim, cursor);
      }
      fields.push(text.slice(cursor, stop));
      if (nextNewline === -1) {
        rows.push({ fields, end: len });
        break;
      }
      rows.push({ fields, end: nextNewline + nlLen });
      cursor = nextNewline + nlLen;
      continue;
    }
    // A quote somewhere on the row: field by field.
    const fields: string[] = [];
    if (nextDelim !== -1 && nextDelim < cursor) nextDelim = text.indexOf(delim, cursor);
    for (;;) {
      if (text[cursor] === quote) {
        let value = "";
        let from = cursor + 1;
        let search = cursor + 1;
        for (;;) {
          const q = text.indexOf(quote, search);
          if (q === -1) {
            if (final) return null; // unterminated quote: papaparse reports it its own way
            break rows;
          }
          if (q === len - 1) {
            if (!final) break rows; // papaparse drops a last row closed at the very end unless final
            fields.push(value + text.slice(from, q));
            rows.push({ fields, end: len });
            cursor = len;
            break rows;
          }
          if (text[q + 1] === quote) {
            value += text.slice(from, q + 1);
            from = q + 2;
            search = q + 2;
            continue;
          }
          fields.push(value + text.slice(from, q));
          const after = q + 1;
          if (text.startsWith(delim, after)) {
            cursor = after + delim.length;
            break;
          }
          if (text.startsWith(newline, after)) {
            rows.push({ fields, end: after + nlLen });
            cursor = after + nlLen;
            continue rows;
          }
          return null; // spaces or text after a closing quote: papaparse's rules
        }
        if (nextDelim !== -1 && nextDelim < cursor) nextDelim = text.indexOf(delim, cursor);
        continue;
      }
      if (nextDelim !== -1 && nextDelim < cursor) nextDelim = text.indexOf(delim, cursor);
      if (nextNewline !== -1 && nextNewline < cursor) nextNewline = text.indexOf(newline, cursor);
      if (nextDelim !== -1 && (nextNewline === -1 || nextDelim < nextNewline)) {
        fields.push(text.slice(cursor, nextDelim));
        cursor = nextDelim + 1;
        nextDelim = text.indexOf(delim, cursor);
        continue;
      }
      if (nextNewline !== -1) {
        fields.push(text.slice(cursor, nextNewline));
        rows.push({ fields, end: nextNewline + nlLen });
        cursor = nextNewline + nlLen;
        continue rows;
      }
      if (!final) break rows;
      fields.push(text.slice(cursor));
      rows.push({ fields, end: len });
      cursor = len;
      break rows;
    }
  }
  const consumed = final ? len : rows.length > 0 ? rows[rows.length - 1]!.end : 0;
  return { rows, consumed };
}
