package org.mapd.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.data.LlavaRecord;

/**
 * The composite transform on Beam's TestPipeline (DirectRunner, immutability and encodability checks on): its
 * output is the shard files each range wrote, its counters are what it read, accepted and rejected, and the
 * shards hold the accepted records in order.
 */
class CheckAndSplitTest {
  static final String VQA = PrepareDataTest.VQA;

  @Test
  void writesOneShardPerRangeAndDestinationAndCountsEveryRecord(@TempDir Path dir) throws Exception {
    SplitRules rules = SplitRules.loadDefault();
    SplitRules.Source mix = rules.source("mix665k");
    Path datasets = dir.resolve("datasets");
    Path file = datasets.resolve(mix.file());
    PrepareDataTest.write(file, List.of(
        PrepareDataTest.rec("g0", "gqa/images/0.png", "<image>\nWhat is it?" + VQA, "cat"),
        PrepareDataTest.rec("v1", "vg/VG_100K/1.png", "<image>\nPlease provide a short description for this region: "
            + "[0.25, 0.00, 0.50, 0.25].", "red circle"),
        "{\"id\":\"sg\",\"conversations\":[{\"from\":\"human\",\"value\":\"hi\"},{\"from\":\"gpt\",\"value\":\"hello\"}]}",
        PrepareDataTest.rec("gone", "gqa/images/404.png", "<image>\nWhat is it?" + VQA, "cat"),
        "{\"id\": \"broken\", \"image\": }",
        PrepareDataTest.rec("g5", "gqa/images/5.png", "<image>\nWhere is it?" + VQA, "left")));
    // two ranges, as the driver cuts a larger file: records 0-2 and 3-5
    ReadJsonArray.Elements e = ReadJsonArray.scan(file);
    List<Range> ranges = new ArrayList<>();
    for (Range whole : Range.cut(mix.name(), 0, file.toString(), e)) {
      ranges.add(part(whole, 0, 3));
      ranges.add(part(whole, 3, 6));
    }
    Path joinMap = dir.resolve("joins.bin");
    JoinMap.write(joinMap, Map.of());
    Path shards = dir.resolve("shards");
    // an image check injected as the bench does: every image but 404.png is there
    ImageCheck images = image -> {
      if (image.endsWith("404.png")) throw new Checks.Rejected(Checks.Reason.IMAGE_MISSING, image.toString());
    };

    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);
    PCollection<String> written = p.apply(Create.of(ranges).withCoder(Range.Coder.INSTANCE))
        .apply(new CheckAndSplit(rules, List.of(mix), datasets, false, joinMap, shards, images));
    PAssert.that(written).containsInAnyOrder(
        "dataset/gqa/00-000000000000.shard", "dataset/vg/00-000000000000.shard",
        "dataset/gqa/00-000000000003.shard", "rejects/00-000000000003.shard");
    PipelineResult result = p.run();

    Map<String, Long> expected = new TreeMap<>(Map.of(
        "read:mix665k", 6L, "accepted:gqa", 2L, "accepted:vg", 1L, "removed_text_only", 1L,
        "rejected:mix665k:image_missing", 1L, "rejected:mix665k:malformed_json", 1L));
    assertEquals(expected, CheckAndSplit.counters(result));
    Path gqa = dir.resolve("gqa.json");
    assertEquals(2, DatasetShards.merge(shards.resolve("dataset/gqa"), gqa, (key, json) -> {}));
    assertEquals(List.of("g0", "g5"), DatasetFile.read(gqa).stream().map(LlavaRecord::id).toList());
    List<String[]> rejects = Writers.merge(shards.resolve("rejects"));
    assertEquals(List.of("00|000000000003|mix665k|image_missing", "00|000000000004|mix665k|malformed_json"),
        rejects.stream().map(r -> r[0]).toList());
  }

  /** Elements [from, to) of a range, as Range.cut would make them with a smaller limit. */
  private static Range part(Range r, int from, int to) {
    Map<Integer, String> damaged = new TreeMap<>();
    r.damaged().forEach((i, why) -> { if (i >= from && i < to) damaged.put(i - from, why); });
    return new Range(r.source(), r.order(), r.file(), r.firstIndex() + from,
        java.util.Arrays.copyOfRange(r.starts(), from, to), java.util.Arrays.copyOfRange(r.ends(), from, to), damaged);
  }

  @Test
  void noRangesNoShardsNoCounts(@TempDir Path dir) throws Exception {
    Path joinMap = dir.resolve("joins.bin");
    JoinMap.write(joinMap, Map.of());
    SplitRules rules = SplitRules.loadDefault();
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(true);
    PCollection<String> written = p.apply(Create.empty(Range.Coder.INSTANCE))
        .apply(new CheckAndSplit(rules, rules.sources(), dir, true, joinMap, dir.resolve("shards"), ImageCheck.of(false)));
    PAssert.that(written).empty();
    assertEquals(Map.of(), CheckAndSplit.counters(p.run()));
    assertEquals(false, Files.exists(dir.resolve("shards")));
  }
}
