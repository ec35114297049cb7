// CSV in: every kind of source, row numbers as in the file, errors that name the row,
// column and value, column roles (numeric, one-hot), class indices, a seeded split, and
// scaling fitted on the training rows only.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';
import { type FileServer, serveFiles, tempDir } from '../helpers/files.js';

const IRIS = new URL('../../examples/data/iris.csv', import.meta.url);
const text = (t: string) => ({ text: t, name: 'inline.csv' });

describe('readCsv', () => {
  let server: FileServer;
  beforeAll(async () => {
    server = await serveFiles({ 'small.csv': 'a,b\n1,2\n3,4\n' });
  });
  afterAll(() => server.close());

  it('reads a path, a file: URL, an http URL, a Blob, bytes and { text } alike', async () => {
    const dir = tempDir();
    const path = join(dir, 'small.csv');
    writeFileSync(path, '\ufeffa,b\r\n1,2\r\n3,4\r\n');
    const expected = { columns: ['a', 'b'], rows: [['1', '2'], ['3', '4']], rowNumbers: [2, 3] };
    for (const source of [path, pathToFileURL(path), `${server.url}small.csv`, new Blob(['a,b\n1,2\n3,4']), new TextEncoder().encode('a,b\n1,2\n3,4\n'), text('a,b\n1,2\n3,4')]) {
      const table = await wg.data.readCsv(source);
      expect({ columns: table.columns, rows: table.rows, rowNumbers: table.rowNumbers }).toEqual(expected);
    }
    await expect(wg.data.readCsv(`${server.url}missing.csv`)).rejects.toThrow(/fetching http:\/\/127\.0\.0\.1:\d+\/missing\.csv failed: HTTP 404/);
    await expect(wg.data.readCsv(join(dir, 'nope.csv'))).rejects.toThrow(/readCsv: cannot read .*nope\.csv: ENOENT/);
  });

  it('numbers rows by the line they start on, across blank lines, CRLF and quoted line breaks', async () => {
    for (const eol of ['\n', '\r\n']) {
      const table = await wg.data.readCsv(text(['name,note', 'x,1', '', `"multi${eol}line",2`, '   ', 'y,"a, ""quoted"" b"', ''].join(eol)));
      expect(table.rows).toEqual([['x', '1'], [`multi${eol}line`, '2'], ['y', 'a, "quoted" b']]);
      expect(table.rowNumbers).toEqual([2, 4, 7]);
    }
  });

  it('tab- and semicolon-separated files', async () => {
    expect((await wg.data.readCsv(text('a\tb\n1\t2'), { delimiter: '\t' })).rows).toEqual([['1', '2']]);
    expect((await wg.data.readCsv(text('a;b\n1,5;2'), { delimiter: ';' })).rows).toEqual([['1,5', '2']]);
    await expect(wg.data.readCsv(text('a'), { delimiter: '""' })).rejects.toThrow('delimiter should be one character');
  });

  it('ragged rows, broken quotes and bad headers are errors naming the row', async () => {
    await expect(wg.data.readCsv(text('a,b,label\n1,2,x\n\n3,4\n'))).rejects.toThrow('readCsv: inline.csv row 4 has 2 cells but the header has 3 columns (a, b, label)');
    await expect(wg.data.readCsv(text('a,b\n"x\ny",1\n2,3,4\n'))).rejects.toThrow('inline.csv row 4 has 3 cells but the header has 2 columns');
    await expect(wg.data.readCsv(text('a,b\n1,2\n"open,3\n'))).rejects.toThrow('inline.csv row 3: a quoted field is not closed');
    await expect(wg.data.readCsv(text('a,a\n1,2'))).rejects.toThrow("inline.csv names column 'a' twice (columns 1 and 2)");
    await expect(wg.data.readCsv(text('a,,c\n1,2,3'))).rejects.toThrow('inline.csv column 2 has no name in the header row');
    await expect(wg.data.readCsv(text('\n\n'))).rejects.toThrow('inline.csv is empty');
    await expect(wg.data.readCsv(text('a,b\n'))).rejects.toThrow('inline.csv has a header row but no data rows');
    await expect(wg.data.readCsv(new Uint8Array([0x61, 0xff, 0x0a]))).rejects.toThrow('is not UTF-8 text');
  });
});

describe('loadCsv: columns, targets and errors', () => {
  it('missing values are reported with row and column, or dropped when asked', async () => {
    const csv = text('a,b,label\n1,,x\n2,3,\nNA,4,y\n5,6,x\n7,8,y\n');
    await expect(wg.data.loadCsv(csv, { target: 'label' })).rejects.toThrow(
      "inline.csv has 3 missing values: row 2 column 'b', row 3 column 'label', row 4 column 'a'; fill them in, or leave those rows out with dropMissing",
    );
    const data = await wg.data.loadCsv(csv, { target: 'label', dropMissing: true, scale: 'none' });
    expect(data.dropped).toEqual([2, 3, 4]);
    expect(data.train.rowNumbers.slice().sort()).toEqual([5, 6]);
  });

  it('a non-numeric cell in a numeric column names the row, the column and the value', async () => {
    const csv = text('a,b,label\n1,2,x\n3,4,y\n5,abc,x\n6,7,y\n');
    await expect(wg.data.loadCsv(csv, { target: 'label' })).rejects.toThrow("inline.csv row 4, column 'b': expected a number, got 'abc'");
    await expect(wg.data.loadCsv(text('a,label\n1,x\n2,y\n1e400,x\n'), { target: 'label', numeric: ['a'] })).rejects.toThrow("row 4, column 'a': expected a number, got '1e400'");
    // a regression target must be numeric too
    await expect(wg.data.loadCsv(text('a,t\n1,2.5\n2,oops\n3,1.5\n'), { target: 't', task: 'regression' })).rejects.toThrow("inline.csv row 3, column 't': expected a number (regression target), got 'oops'");
  });

  it('an unknown target or feature column is an error that lists the columns (with a suggestion)', async () => {
    await expect(wg.data.loadCsv(IRIS, { target: 'specie' })).rejects.toThrow(
      "iris.csv has no column 'specie' (the target); did you mean 'species'?; its columns are: sepal_length, sepal_width, petal_length, petal_width, species",
    );
    await expect(wg.data.loadCsv(IRIS, { target: 'species', features: ['sepal_length', 'stem'] })).rejects.toThrow("has no column 'stem' (a feature)");
    await expect(wg.data.loadCsv(IRIS, { target: 'species', features: ['species'] })).rejects.toThrow("the target 'species' cannot also be a feature");
    await expect(wg.data.loadCsv(IRIS, { target: 'species', test: 0.6, validation: 0.5 })).rejects.toThrow('leave 0 for training');
    await expect(wg.data.loadCsv(IRIS, { target: 'species', tset: 0.2 } as never)).rejects.toThrow("unknown option 'tset'; did you mean 'test'?");
    await expect(wg.data.loadCsv(text('a,label\n1,x\n2,x\n'), { target: 'label' })).rejects.toThrow("classification needs at least 2 classes, but the target 'label' has only 'x'");
  });

  it('categorical features are one-hot encoded with the sorted category list kept; numeric text columns can be forced', async () => {
    const csv = text('size,color,zip,label\n1,red,100,a\n2,green,200,b\n3,blue,100,a\n4,red,300,b\n');
    const data = await wg.data.loadCsv(csv, { target: 'label', categorical: ['zip'], scale: 'none', shuffle: false });
    const p = data.preprocessing;
    expect(p.toJSON().features).toEqual([
      { name: 'size', kind: 'numeric' },
      { name: 'color', kind: 'categorical', categories: ['blue', 'green', 'red'] },
      { name: 'zip', kind: 'categorical', categories: ['100', '200', '300'] },
    ]);
    expect(p.inputNames).toEqual(['size', 'color=blue', 'color=green', 'color=red', 'zip=100', 'zip=200', 'zip=300']);
    expect(await data.train.x.array()).toEqual([
      [1, 0, 0, 1, 1, 0, 0],
      [2, 0, 1, 0, 0, 1, 0],
      [3, 1, 0, 0, 1, 0, 0],
      [4, 0, 0, 1, 0, 0, 1],
    ]);
    // an unseen category in new data is an error naming it
    expect(() => p.encode({ columns: ['size', 'color', 'zip', 'label'], rows: [['1', 'purple', '100', 'a']], rowNumbers: [9], source: 'new.csv' }))
      .toThrow("new.csv row 9, column 'color': unknown category 'purple'; this model knows 'blue', 'green', 'red'");
  });

  it('class names map to indices in sorted order (numerically for numbers); the task is inferred', async () => {
    const labels = await wg.data.loadCsv(text('x,label\n1,10\n2,9\n3,10\n4,2\n'), { target: 'label', scale: 'none', shuffle: false });
    expect(labels.preprocessing.classes).toEqual(['2', '9', '10']);
    expect(labels.preprocessing.task).toBe('classification');
    expect(Array.from(await labels.train.y.data())).toEqual([2, 1, 2, 0]);
    expect(labels.train.y.dtype).toBe('int32');
    const iris = await wg.data.loadCsv(IRIS, { target: 'species' });
    expect(iris.preprocessing.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const regression = await wg.data.loadCsv(text('x,t\n1,0.5\n2,1.5\n3,2.25\n'), { target: 't' });
    expect(regression.preprocessing.task).toBe('regression');
    const many = Array.from({ length: 25 }, (_, i) => `${i},${i}`).join('\n');
    expect((await wg.data.loadCsv(text(`x,t\n${many}`), { target: 't' })).preprocessing.task).toBe('regression');
  });
});

describe('loadCsv: split and scaling', () => {
  it('the split is seeded, disjoint and complete, with ceil(n × share) rows held out', async () => {
    const a = await wg.data.loadCsv(IRIS, { target: 'species', validation: 0.1, test: 0.2, seed: 5 });
    const b = await wg.data.loadCsv(IRIS, { target: 'species', validation: 0.1, test: 0.2, seed: 5 });
    const c = await wg.data.loadCsv(IRIS, { target: 'species', validation: 0.1, test: 0.2, seed: 6 });
    expect([a.train.rowNumbers.length, a.validation!.rowNumbers.length, a.test!.rowNumbers.length]).toEqual([105, 15, 30]);
    expect(b.test!.rowNumbers).toEqual(a.test!.rowNumbers);
    expect(c.test!.rowNumbers).not.toEqual(a.test!.rowNumbers);
    const all = [...a.train.rowNumbers, ...a.validation!.rowNumbers, ...a.test!.rowNumbers].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 150 }, (_, i) => i + 2));
    expect(a.train.x.shape).toEqual([105, 4]);
    expect(Array.from(await a.test!.y.data())).toEqual(Array.from(a.test!.targets));
  });

  it('standard scaling is fitted on the training rows only and applied to every part', async () => {
    const data = await wg.data.loadCsv(IRIS, { target: 'species', validation: 0.2, test: 0.2, seed: 3 });
    const table = data.table;
    const raw = (line: number) => table.rows[table.rowNumbers.indexOf(line)]!.slice(0, 4).map(Number);
    const train = data.train.rowNumbers.map(raw);
    const mean = [0, 1, 2, 3].map((j) => train.reduce((s, r) => s + r[j]!, 0) / train.length);
    const std = [0, 1, 2, 3].map((j) => Math.sqrt(train.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / train.length));
    const scaler = data.preprocessing.toJSON().scaler!;
    scaler.offset.forEach((v, j) => expect(v).toBeCloseTo(mean[j]!, 5));
    scaler.scale.forEach((v, j) => expect(v).toBeCloseTo(std[j]!, 5));
    // the test rows use the training statistics (their own mean is not 0)
    const testX = (await data.test!.x.array()) as number[][];
    data.test!.rowNumbers.forEach((line, i) => raw(line).forEach((v, j) => expect(testX[i]![j]).toBeCloseTo((v - mean[j]!) / std[j]!, 4)));
    // one-hot columns are left as 0 / 1
    const mixed = await wg.data.loadCsv(text('v,c,label\n1,p,a\n5,q,b\n9,p,a\n13,q,b\n'), { target: 'label', shuffle: false });
    expect(mixed.preprocessing.toJSON().scaler).toEqual({ kind: 'standard', offset: [7, 0, 0], scale: [Math.fround(Math.sqrt(20)), 1, 1] });
    expect(((await mixed.train.x.array()) as number[][]).map((r) => r.slice(1))).toEqual([[1, 0], [0, 1], [1, 0], [0, 1]]);
  });

  it('regression targets are standardised on the training rows and mapped back exactly as saved', async () => {
    const data = await wg.data.loadCsv(text('x,t\n1,10\n2,20\n3,30\n4,40\n'), { target: 't', task: 'regression', shuffle: false, scale: 'minMax' });
    const p = data.preprocessing;
    expect(p.toJSON().targetScaler).toEqual({ offset: 25, scale: Math.fround(Math.sqrt(125)) });
    expect(Array.from(data.train.targets)).toEqual([10, 20, 30, 40]);
    const y = Array.from(await data.train.y.data());
    Array.from(p.unscaleTarget(y)).forEach((v, i) => expect(v).toBeCloseTo([10, 20, 30, 40][i]!, 4));
    expect(await data.train.x.array()).toEqual([[0], [1 / 3], [2 / 3], [1]].map((r) => r.map(Math.fround)));
  });

  it('saved preprocessing is checked when read back', () => {
    const p = wg.Preprocessing.infer({ columns: ['a', 'b'], rows: [['1', 'x'], ['2', 'y']], rowNumbers: [2, 3], source: 's' }, { target: 'b' });
    expect(wg.Preprocessing.fromJSON(JSON.parse(JSON.stringify(p))).toJSON()).toEqual(p.toJSON());
    expect(() => wg.Preprocessing.fromJSON({ ...p.toJSON(), task: 'ranking' })).toThrow("task should be 'classification' or 'regression'");
    expect(() => wg.Preprocessing.fromJSON({ ...p.toJSON(), classes: ['x'] })).toThrow('at least 2 class names');
    expect(() => wg.Preprocessing.fromJSON({ ...p.toJSON(), scaler: { kind: 'standard', offset: [0, 0], scale: [1] } })).toThrow('with 1 finite numbers each');
    expect(() => wg.Preprocessing.fromJSON({ ...p.toJSON(), features: [{ name: 'a', kind: 'categorical', categories: [] }] })).toThrow("feature 'a' should be");
  });
});
