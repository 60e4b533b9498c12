package org.mapd.train;

import java.util.List;
import org.mapd.model.MemoryModel;

/**
 * The shapes a stage met, in memory that does not grow with the data: sequence lengths in a fixed
 * histogram, micro-batch sizes, and the micro-batch that needed the most activation memory (what the
 * device must hold, projected to other depths by {@code mapd rehearse}).
 */
public final class BatchStats {
  /** Where a stage leaves its summary, in its folder (the stage's metrics.json takes it in). */
  public static final String FILE = "batches.json";
  /** Histogram resolution in tokens; lengths beyond the last bucket land in it. */
  private static final int BUCKET = 32;
  private static final int BUCKETS = 1024;

  private final long[] lengths = new long[BUCKETS];
  private long sequences;
  private long microBatches;
  private double flops;
  private long nanos;
  private int maxLength;
  private int maxMicroBatch;
  private MemoryModel.Chunk largest;
  private long largestBytes = -1;
  private List<MemoryModel.Chunk> largestBatch = List.of();
  private long largestBatchTokens = -1;

  /** A whole batch before it is cut into micro-batches: the one with the most tokens is kept. */
  void batch(List<MemoryModel.Chunk> sequences) {
    long tokens = sequences.stream().mapToLong(c -> (long) c.length()).sum();
    if (tokens > largestBatchTokens) {
      largestBatchTokens = tokens;
      largestBatch = List.copyOf(sequences);
    }
  }

  /** Work counted by the FLOP model and the time it took, for the achieved rate. */
  void work(double flops, long nanos) {
    this.flops += flops;
    this.nanos += nanos;
  }

  /** One micro-batch, its sequences as chunks of one (their lengths and images). */
  void add(List<MemoryModel.Chunk> sequencesOfMicroBatch, MemoryModel memory) {
    MemoryModel.Chunk all = null;
    for (MemoryModel.Chunk c : sequencesOfMicroBatch) {
      lengths[Math.min(BUCKETS - 1, c.length() / BUCKET)]++;
      maxLength = Math.max(maxLength, c.length());
      all = all == null ? c : all.plus(c);
    }
    sequences += sequencesOfMicroBatch.size();
    microBatches++;
    maxMicroBatch = Math.max(maxMicroBatch, sequencesOfMicroBatch.size());
    long bytes = memory.activationBytes(all);
    if (bytes > largestBytes) {
      largestBytes = bytes;
      largest = all;
    }
  }

  /** The summary written into a stage's metrics. */
  public Summary summary() {
    return new Summary(sequences, microBatches, maxMicroBatch, percentile(0.5), percentile(0.9), maxLength, largest,
        largestBatch, flops, nanos / 1e9);
  }

  /** Writes the summary into a stage folder. */
  public void write(java.nio.file.Path stageDir) {
    org.mapd.Json.writeAtomic(stageDir.resolve(FILE), summary());
  }

  /** Upper bucket edge below which a fraction {@code q} of the lengths lie. */
  private int percentile(double q) {
    if (sequences == 0) return 0;
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += lengths[i];
      if (seen >= q * sequences) return Math.min(maxLength, (i + 1) * BUCKET);
    }
    return maxLength;
  }

  /**
   * @param sequences sequences through the decoder
   * @param microBatches micro-batches they were cut into
   * @param maxMicroBatch most sequences in one micro-batch
   * @param lengthP50 median sequence length in tokens (images expanded), to {@value #BUCKET} tokens
   * @param lengthP90 90th percentile
   * @param lengthMax longest
   * @param largest the micro-batch shape that needed the most activation memory
   * @param largestBatch the sequences of the batch with the most tokens, before cutting: what another
   *     device would cut differently ({@code mapd rehearse} re-plans it for the paper's GPU)
   * @param flops FLOPs of the gradients computed (FlopModel, padded micro-batches)
   * @param seconds time spent computing them
   */
  public record Summary(long sequences, long microBatches, int maxMicroBatch, int lengthP50, int lengthP90,
      int lengthMax, MemoryModel.Chunk largest, List<MemoryModel.Chunk> largestBatch, double flops, double seconds) {
    /** Achieved GFLOP/s of the gradient work, or 0 when none was timed. */
    public double gflops() {
      return seconds > 0 ? flops / seconds / 1e9 : 0;
    }
  }
}
