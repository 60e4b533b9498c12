package org.mapd.train;

/**
 * HF get_cosine_schedule_with_warmup (half a cosine cycle): linear warm-up from 0 over
 * ceil(warmupRatio * total) optimizer steps, then cosine decay to 0 at {@code total}.
 */
record CosineSchedule(double peak, long warmupSteps, long total) {
  static CosineSchedule of(double peak, double warmupRatio, long total) {
    return new CosineSchedule(peak, (long) Math.ceil(warmupRatio * total), total);
  }

  /** Learning rate of the optimizer step that follows {@code done} completed steps (the first is 0 with warm-up). */
  double lr(long done) {
    if (done < warmupSteps) return peak * done / Math.max(1, warmupSteps);
    double progress = (double) (done - warmupSteps) / Math.max(1, total - warmupSteps);
    return peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
  }
}
