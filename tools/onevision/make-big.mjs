// A large parquet file shaped like an HF image subset (rows of ~64 KB "PNG" bytes, 100 rows per row group,
// snappy, dictionary on) to measure OneVision.convert's speed and memory; not used by the tests.
//   node make-big.mjs OUT_DIR ROWS   -> OUT_DIR/LLaVA-OneVision/mavis_math_metagen/train-00000-of-00001.parquet
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { join } from 'node:path';
import { Binary, Field, List, Struct, Table, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import * as pq from 'parquet-wasm/node';

const [out, n] = [process.argv[2], Number(process.argv[3] ?? 2000)];
const turn = new Struct([new Field('from', new Utf8(), true), new Field('value', new Utf8(), true)]);
const ids = [], images = [], convs = [];
for (let i = 0; i < n; i++) {
  const bytes = randomFillSync(new Uint8Array(64 * 1024));
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  ids.push(`mavis_${i}`);
  images.push({ bytes, path: null });
  convs.push([{ from: 'human', value: `<image>\nWhat is ${i} + ${i}?` }, { from: 'gpt', value: `${2 * i}` }]);
}
const table = new Table({
  id: vectorFromArray(ids, new Utf8()),
  image: vectorFromArray(images, new Struct([new Field('bytes', new Binary(), true), new Field('path', new Utf8(), true)])),
  conversations: vectorFromArray(convs, new List(new Field('item', turn, true))),
  data_source: vectorFromArray(ids.map(() => 'mavis_math_metagen'), new Utf8()),
});
const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).setMaxRowGroupSize(100).build();
const dir = join(out, 'LLaVA-OneVision', 'mavis_math_metagen');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'train-00000-of-00001.parquet'), pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, 'stream')), props));
