package org.mapd.pipelines;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Streams one JSON array file (source name, path) into (source, (index, raw JSON text of the element)),
 * never holding the whole file: a 665k-record mix is ~1 GB of text. Also emits ("read:"+source, n).
 */
final class ReadJsonArray extends DoFn<KV<String, String>, KV<String, KV<Long, String>>> {
  static final TupleTag<KV<String, KV<Long, String>>> ELEMENTS = new TupleTag<>() {};
  static final TupleTag<KV<String, Long>> READ = new TupleTag<>() {};
  private static final JsonFactory FACTORY = new JsonFactory();

  @ProcessElement
  public void process(@Element KV<String, String> file, MultiOutputReceiver out) throws IOException {
    long n = 0;
    try (JsonParser p = FACTORY.createParser(new File(file.getValue()))) {
      if (p.nextToken() != JsonToken.START_ARRAY) throw new IOException(file.getValue() + " is not a JSON array");
      while (p.nextToken() != JsonToken.END_ARRAY) {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
          g.copyCurrentStructure(p);
        }
        out.get(ELEMENTS).output(KV.of(file.getKey(), KV.of(n++, w.toString())));
      }
    }
    out.get(READ).output(KV.of("read:" + file.getKey(), n));
  }
}
