package org.mapd.conf;

/**
 * training.json "memory": what one device (a GPU, or the host on CPU) may hold. These settings decide how a
 * batch is cut into micro-batches and which features stay cached, never what a stage computes (the chunks
 * add up to the same loss and gradient), so they are left out of stage content keys: a run resumed on
 * another kind of GPU reuses its finished stages.
 *
 * @param deviceGB memory of one device in GiB (80 for an A100/H100 80 GB)
 * @param reserveGB kept free for the runtime (CUDA context, allocator fragmentation) in GiB
 * @param featureCacheGB device memory for cached frozen vision features in GiB; beyond it they are recomputed
 * @param recompute activation checkpointing of the frozen decoder: keep each layer's input, recompute the
 *     layer during backward, attention a block of query rows at a time (one more forward pass for a fraction
 *     of the memory)
 * @param checkFit refuse the plan before any stage when one sequence at a stage's maxLen cannot fit the device
 *     (default true); `mapd rehearse` turns it off for its host budget, where the paper's worst case never
 *     fits, and checks the paper plan at full depth instead
 */
public record MemoryBudget(double deviceGB, double reserveGB, double featureCacheGB, boolean recompute, Boolean checkFit) {
  public static final double GIB = 1024.0 * 1024 * 1024;

  public MemoryBudget {
    TrainConfig.require(deviceGB > 0, "memory.deviceGB must be > 0");
    TrainConfig.require(reserveGB >= 0 && reserveGB < deviceGB, "memory.reserveGB must be in [0, deviceGB)");
    TrainConfig.require(featureCacheGB >= 0, "memory.featureCacheGB must be >= 0");
    checkFit = checkFit == null || checkFit;
  }

  /** A byte count for people: GiB, MiB or KiB with one decimal. */
  public static String human(long bytes) {
    double b = Math.abs(bytes);
    String[] units = {"GiB", "MiB", "KiB"};
    double[] sizes = {GIB, GIB / 1024, GIB / (1024 * 1024)};
    for (int i = 0; i < units.length; i++) {
      if (b >= sizes[i]) return String.format(java.util.Locale.ROOT, "%.1f %s", bytes / sizes[i], units[i]);
    }
    return bytes + " B";
  }

  public long deviceBytes() {
    return (long) (deviceGB * GIB);
  }

  public long reserveBytes() {
    return (long) (reserveGB * GIB);
  }

  public long featureCacheBytes() {
    return (long) (featureCacheGB * GIB);
  }
}
