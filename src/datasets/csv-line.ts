// One CSV line into trimmed cells: a plain split when the line has no quote, papaparse
// (loaded on first use) when it has, so quoted cells may hold the delimiter.

import Papa from 'papaparse';

export function split(line: string, delimiter: string, where: string): string[] {
  if (!line.includes('"')) return line.split(delimiter).map((c) => c.trim());
  const result = Papa.parse<string[]>(line, { delimiter });
  const error = result.errors[0];
  if (error) throw new Error(`${where}: ${error.code === 'MissingQuotes' ? 'a quoted field is not closed (csvStream reads one row per line)' : error.message}`);
  return result.data[0]!.map((c) => c.trim());
}
