// CSV text to a table of cells, parsed with papaparse: a header row of column names,
// then data rows, each with the line number it starts on in the file (so errors can
// say "row 7" the way an editor shows it). Ragged rows and broken quoting are errors.

import Papa from 'papaparse';
import { checkOptions } from '../options.js';
import { type ByteSource, checkByteSource, describeSource, readBytes } from './sources.js';

export interface CsvTable {
  /** Column names, from the header row. */
  readonly columns: readonly string[];
  /** Data rows: one string per column, trimmed. */
  readonly rows: readonly (readonly string[])[];
  /** For each data row, the line of the file it starts on (the header is line 1). */
  readonly rowNumbers: readonly number[];
  /** Where the table came from, for messages. */
  readonly source: string;
}

/** A CSV file: a path (Node, Deno), a URL, a File / Blob, bytes, or `{ text }` for CSV already in a string. */
export type CsvSource = ByteSource | { readonly text: string; readonly name?: string };

export interface ReadCsvOptions {
  /** The field separator (default ','; '\t' for paths ending in .tsv). */
  delimiter?: string;
}

function isTextSource(source: unknown): source is { text: string; name?: string } {
  return typeof source === 'object' && source !== null && typeof (source as { text?: unknown }).text === 'string';
}

/** Reads and parses a CSV file (see CsvSource for what it accepts). */
export async function readCsv(source: CsvSource, options: ReadCsvOptions = {}): Promise<CsvTable> {
  checkOptions('readCsv', options, ['delimiter']);
  if (isTextSource(source)) return parseCsv(source.text, { ...options, source: source.name ?? 'the CSV text' });
  checkByteSource('readCsv', source, 'a path, URL, File, Blob, bytes or { text }');
  const name = describeSource(source as ByteSource);
  const bytes = await readBytes('readCsv', source as ByteSource);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`readCsv: ${name} is not UTF-8 text`);
  }
  const delimiter = options.delimiter ?? (/\.tsv$/i.test(name) ? '\t' : ',');
  return parseCsv(text, { delimiter, source: name });
}

/** Parses CSV text whose first row names the columns. */
export function parseCsv(text: string, options: ReadCsvOptions & { source?: string } = {}): CsvTable {
  const source = options.source ?? 'the CSV text';
  const delimiter = options.delimiter ?? ',';
  if (typeof text !== 'string') throw new TypeError(`readCsv: expected CSV text, got ${typeof text}`);
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || /["\r\n]/.test(delimiter)) {
    throw new Error(`readCsv: delimiter should be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  const lines: number[] = [];
  let line = 1;
  let consumed = 0;
  let failure: string | undefined;
  // Line breaks inside quoted fields are counted too, so each row keeps the line it starts on.
  const advanceTo = (cursor: number): void => {
    for (let i = consumed; i < cursor; i++) {
      const c = body.charCodeAt(i);
      if (c === 10 || (c === 13 && body.charCodeAt(i + 1) !== 10)) line++;
    }
    consumed = cursor;
  };
  Papa.parse<string[]>(body, {
    delimiter,
    skipEmptyLines: 'greedy',
    step: (result, parser) => {
      const start = line;
      const error = result.errors[0];
      if (error && !failure) {
        failure = `${source} row ${start}: ${error.code === 'MissingQuotes' ? 'a quoted field is not closed' : error.message}`;
        parser.abort();
        return;
      }
      records.push(result.data.map((cell) => cell.trim()));
      lines.push(start);
      advanceTo(result.meta.cursor);
      // Skip the line break(s) and blank lines before the next row.
      while (consumed < body.length && /[\r\n\s]/.test(body[consumed]!)) advanceTo(consumed + 1);
    },
  });
  if (failure) throw new Error(`readCsv: ${failure}`);
  if (records.length === 0) throw new Error(`readCsv: ${source} is empty; expected a header row of column names, then data rows`);
  const columns = records[0]!;
  const seen = new Map<string, number>();
  columns.forEach((name, j) => {
    if (name === '') throw new Error(`readCsv: ${source} column ${j + 1} has no name in the header row`);
    const first = seen.get(name);
    if (first !== undefined) throw new Error(`readCsv: ${source} names column '${name}' twice (columns ${first + 1} and ${j + 1})`);
    seen.set(name, j);
  });
  const rows = records.slice(1);
  const rowNumbers = lines.slice(1);
  if (rows.length === 0) throw new Error(`readCsv: ${source} has a header row but no data rows`);
  rows.forEach((row, i) => {
    if (row.length !== columns.length) {
      throw new Error(`readCsv: ${source} row ${rowNumbers[i]} has ${row.length} ${row.length === 1 ? 'cell' : 'cells'} but the header has ${columns.length} columns (${columns.join(', ')})`);
    }
  });
  return { columns, rows, rowNumbers, source };
}

/** CSV text for a header and rows (quoting cells where needed). */
export function formatCsv(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return `${Papa.unparse({ fields: [...columns], data: rows.map((r) => [...r]) }, { newline: '\n' })}\n`;
}
