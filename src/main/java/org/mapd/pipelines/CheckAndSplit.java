package org.mapd.pipelines;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;

/**
 * Checks every record of the ranges and splits the accepted ones into dataset shards: spreads the ranges over
 * the workers, then one {@link SplitRangeFn} call per range parses, checks and writes all of its records (a
 * range, not a record, is the unit of Beam work: Beam's per-element cost is paid 60 times for the 665k mix,
 * not 665k times). Its output is the shard files written, relative to the shards folder, which
 * {@link PrepareData} merges into the dataset files and rejects.jsonl. It counts, as Beam {@link
 * org.apache.beam.sdk.metrics.Metrics} counters in the namespace of this class, each source's records read
 * ({@link #read}), the records accepted per dataset before duplicates are removed ({@link #accepted}), the
 * text-only ones removed ({@link #REMOVED_TEXT_ONLY}) and the rejected ones per source and reason
 * ({@link #rejected}).
 */
public final class CheckAndSplit extends PTransform<PCollection<Range>, PCollection<String>> {
  /** The pseudo-source of the LLaVA-Pretrain captions, after the conversation sources. */
  static final String PRETRAIN_SOURCE = "pretrain";
  /** The pseudo-dataset of the accepted captions. */
  static final String PRETRAIN = "__pretrain";
  /** Shard folders: one per dataset under DATASETS, and the rejects. */
  static final String DATASETS = "dataset", REJECTS = "rejects";
  static final String REMOVED_TEXT_ONLY = "removed_text_only";

  private final SplitRangeFn fn;

  /**
   * @param sources the conversation sources in order, then the pretrain pseudo-source; a range's order is its
   *     index here
   * @param datasets the folder that image roots resolve against
   * @param okvqaKnown whether the OK-VQA question file was found (else vqav2 and okvqa are one dataset)
   * @param joinMap the {@link JoinMap} file
   * @param shards the folder the shards are written to
   * @param images the image check of every record
   */
  CheckAndSplit(SplitRules rules, List<SplitRules.Source> sources, Path datasets, boolean okvqaKnown, Path joinMap,
      Path shards, ImageCheck images) {
    this.fn = new SplitRangeFn(rules, sources, datasets, okvqaKnown, joinMap, shards, images);
  }

  @Override
  public PCollection<String> expand(PCollection<Range> ranges) {
    return ranges
        .apply("SpreadRanges", Reshuffle.viaRandomKey())
        .apply("SplitRanges", ParDo.of(fn));
  }

  static String read(String source) {
    return "read:" + source;
  }

  static String accepted(String dataset) {
    return "accepted:" + dataset;
  }

  static String rejected(String source, String reason) {
    return "rejected:" + source + ":" + reason;
  }

  /**
   * The counters of a finished run, by name. Committed values where the runner has them (DirectRunner);
   * the FlinkRunner reports attempted values only, which for a finished batch job are those of the final
   * attempt of each task (Flink keeps no accumulators of failed attempts), so a retry is not counted twice.
   */
  static Map<String, Long> counters(PipelineResult result) {
    Map<String, Long> counters = new TreeMap<>();
    MetricsFilter filter = MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(CheckAndSplit.class)).build();
    for (MetricResult<Long> c : result.metrics().queryMetrics(filter).getCounters()) {
      counters.merge(c.getName().getName(), c.hasCommitted() ? c.getCommitted() : c.getAttempted(), Long::sum);
    }
    return counters;
  }
}
