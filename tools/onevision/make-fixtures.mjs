// Writes the LLaVA-OneVision parquet fixtures of OneVisionTest with arrow-rs (parquet-wasm), a writer that shares
// no code with mapd's reader, and next to them the output mapd must convert them to (JSON records + image files).
// The file names in `expect` are written down by hand here: they are the naming rules the Java side must follow.
//
//   cd tools/onevision && npm ci && node make-fixtures.mjs ../../src/test/resources/onevision
import { readFileSync, writeFileSync, mkdirSync, rmSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Binary, Field, List, Struct, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import * as pq from 'parquet-wasm/node';

const out = process.argv[2];
if (!out) throw new Error('usage: node make-fixtures.mjs OUT_DIR');
const img = (name) => new Uint8Array(readFileSync(new URL(`./images/${name}`, import.meta.url)));
const PNG = 'square.png', JPG = 'triangle.jpg', TABLE = 'table.png';

// The HF datasets schema of lmms-lab/LLaVA-OneVision-Data: Image feature = struct{bytes, path}.
const turnType = new Struct([new Field('from', new Utf8(), true), new Field('value', new Utf8(), true)]);
const imageType = new Struct([new Field('bytes', new Binary(), true), new Field('path', new Utf8(), true)]);
const convType = new List(new Field('item', turnType, true));

const REASON = 'First perform reasoning, then finally select the question from the choices in the following format: Answer: xxx.';
const BASIC = 'Please directly answer the question and provide the correct option letter, e.g., A, B, C, D.';
const human = (v) => ({ from: 'human', value: v });
const gpt = (v) => ({ from: 'gpt', value: v });
const geoQ = '\nQuestion: Which shape is shown?\nChoices:\nA: circle\nB: triangle\nC: square\nD: star';

// One row: id, image ({file, path} or null; file null = struct with null bytes), conversations, data_source,
// and expect = the image file name mapd must write (null = the record has no "image").
const row = (id, image, conversations, data_source, expect) => ({ id, image, conversations, data_source, expect });

const files = [
  {
    subset: 'geo170k(qa)', file: 'train-00000-of-00002.parquet', rowGroup: 3, version: pq.WriterVersion.V1,
    compression: pq.Compression.SNAPPY, dictionary: true,
    rows: [
      row('9177_13', { file: JPG, path: '9177_13.jpg' }, [human('<image>\n' + REASON + geoQ), gpt('It has three sides. Answer: B')], 'geo170k(qa)', '9177_13.jpg'),
      row('9177_14', { file: PNG, path: 'images/9177_14.png' }, [human('<image>\n' + REASON + geoQ), gpt('Four equal sides. Answer: C')], 'geo170k(qa)', '9177_14.png'),
      row('9180_2', null, [human('<image>\n' + BASIC + geoQ), gpt('B')], 'geo170k(qa)', null),
      row('9181_0', { file: PNG, path: '../../etc/evil.png' }, [human('<image>\n' + BASIC + geoQ), gpt('C')], 'geo170k(qa)', 'evil.png'),
      row('9182_1', { file: JPG, path: null }, [human('<image>\n' + BASIC + geoQ), gpt('B')], 'geo170k(qa)', '9182_1.jpg'),
    ],
  },
  {
    subset: 'geo170k(qa)', file: 'train-00001-of-00002.parquet', rowGroup: 2, version: pq.WriterVersion.V2,
    compression: pq.Compression.GZIP, dictionary: true,
    rows: [
      row('9183_0', { file: JPG, path: '9183_0.jpg' }, [human('<image>\n' + BASIC + geoQ), gpt('B')], 'geo170k(qa)', '9183_0.jpg'),
      // Same file name, other bytes: a second file, not an overwrite of the first.
      row('9184_5', { file: PNG, path: 'other/9183_0.jpg' }, [human('<image>\n' + BASIC + geoQ), gpt('C')], 'geo170k(qa)', '9183_0-2.jpg'),
      // Same file name, same bytes: the one file serves both records.
      row('9183_0', { file: JPG, path: '9183_0.jpg' }, [human('<image>\n' + REASON + geoQ), gpt('Three corners. Answer: B')], 'geo170k(qa)', '9183_0.jpg'),
    ],
  },
  {
    subset: 'mavis_math_metagen', file: 'train-00000-of-00001.parquet', rowGroup: 4, version: pq.WriterVersion.V1,
    compression: pq.Compression.SNAPPY, dictionary: true, pageBytes: 64, dictionaryBytes: 48,
    rows: [
      row('mavis/geo/12', { file: PNG, path: null }, [human('<image>\nPlease solve the problem shown in the image.\nWhat is 3 + 4?'), gpt('7')], 'mavis_math_metagen', 'mavis_geo_12.png'),
      row('mavis_1', { file: PNG, path: null }, [], 'mavis_math_metagen', 'mavis_1.png'),
      row('mavis_2', { file: TABLE, path: null }, null, 'mavis_math_metagen', 'mavis_2.png'),
      row('mavis_3', { file: PNG, path: null }, [human('<image>\nWhat is 2 x 5?'), { from: 'gpt', value: null }], 'mavis_math_metagen', 'mavis_3.png'),
      row('mavis_4', { file: null, path: 'mavis_4.png' }, [human('<image>\nWhat is 9 - 1?'), gpt('8')], 'mavis_math_metagen', null),
      row(null, { file: TABLE, path: null }, [human('<image>\nWhat is 1 + 1?'), gpt('2')], null, 'train-00000-of-00001_5.png'),
      row('..', { file: JPG, path: null }, [human('<image>\nWhat is 6 - 6?'), gpt('0')], 'mavis_math_metagen', '_...jpg'),
      row('mavis_7', { file: PNG, path: null }, [human('<image>\nπ ≈ 3.14 — “how many” sides?\tTab'), gpt('4 (vier), 四')], 'mavis_math_metagen', 'mavis_7.png'),
      row('mavis_8', { file: TABLE, path: null }, [human('<image>\nWhat is 5 + 5?'), gpt('10'), human('And 5 x 5?'), gpt('25')], 'mavis_math_metagen', 'mavis_8.png'),
    ],
  },
  {
    subset: 'tabmwp(cauldron)', file: 'train-00000-of-00001.parquet', rowGroup: 100, version: pq.WriterVersion.V1,
    compression: pq.Compression.UNCOMPRESSED, dictionary: false,
    rows: [
      row('tabmwp_0', { file: TABLE, path: 'tabmwp(cauldron)/0.png' }, [human('<image>\nHint: Please answer the question requiring an integer answer.\nQuestion: What is the sum of the first row?'), gpt('9')], 'tabmwp(cauldron)', '0.png'),
      row('tabmwp_1', { file: TABLE, path: 'C:\\data\\tab 1.png' }, [human('<image>\nQuestion: What is the largest number?'), gpt('8')], 'tabmwp(cauldron)', 'tab_1.png'),
    ],
  },
];

function parquetBytes(spec) {
  const table = new Table({
    id: vectorFromArray(spec.rows.map((r) => r.id), new Utf8()),
    image: vectorFromArray(spec.rows.map((r) => r.image && { bytes: r.image.file && img(r.image.file), path: r.image.path }), imageType),
    conversations: spec.conversationsAsText
      ? vectorFromArray(spec.rows.map((r) => JSON.stringify(r.conversations)), new Utf8())
      : vectorFromArray(spec.rows.map((r) => r.conversations), convType),
    data_source: vectorFromArray(spec.rows.map((r) => r.data_source), new Utf8()),
  });
  let props = new pq.WriterPropertiesBuilder()
    .setWriterVersion(spec.version)
    .setCompression(spec.compression)
    .setDictionaryEnabled(spec.dictionary)
    .setMaxRowGroupSize(spec.rowGroup);
  if (spec.pageBytes) props = props.setDataPageSizeLimit(spec.pageBytes).setWriteBatchSize(1);
  if (spec.dictionaryBytes) props = props.setDictionaryPageSizeLimit(spec.dictionaryBytes);
  return pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, 'stream')), props.build());
}

rmSync(out, { recursive: true, force: true });
const expected = {};
for (const spec of files) {
  const dir = join(out, 'input', 'LLaVA-OneVision', spec.subset);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, spec.file), parquetBytes(spec));
  const exp = join(out, 'expected', 'LLaVA-OneVision', spec.subset);
  mkdirSync(exp, { recursive: true });
  for (const r of spec.rows) {
    const rec = {};
    if (r.id !== null) rec.id = r.id;
    if (r.expect !== null) {
      rec.image = `${spec.subset}/${r.expect}`;
      copyFileSync(new URL(`./images/${r.image.file}`, import.meta.url), join(exp, r.expect));
    }
    if (r.conversations !== null) {
      rec.conversations = r.conversations.map((t) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== null)));
    }
    if (r.data_source !== null) rec.data_source = r.data_source;
    (expected[spec.subset] ??= []).push(rec);
  }
}
for (const [subset, recs] of Object.entries(expected)) {
  writeFileSync(join(out, 'expected', 'LLaVA-OneVision', subset, `${subset}.json`), JSON.stringify(recs, null, 1) + '\n');
}
// Conversations as one JSON string (as some other HF conversions have it): the file must fail as a whole, by name.
const bad = { ...files[3], conversationsAsText: true };
const badDir = join(out, 'bad', 'LLaVA-OneVision', bad.subset);
mkdirSync(badDir, { recursive: true });
writeFileSync(join(badDir, bad.file), parquetBytes(bad));
// A file in the input folder that is not parquet: the converter must leave it alone.
writeFileSync(join(out, 'input', 'LLaVA-OneVision', 'geo170k(qa)', 'README.md'), 'not a parquet file\n');
