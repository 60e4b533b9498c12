package org.mapd;

/**
 * Progress of a long stage: the CLI draws it as a bar, a Temporal activity sends it as its heartbeat
 * ({step, total, loss, checkpoint}) so that a retry can continue from the checkpoint.
 */
@FunctionalInterface
public interface Progress {
  Progress NONE = (step, total, loss, checkpoint) -> {};

  /**
   * @param loss the training loss of the last step; for an evaluation, the accuracy so far (a fraction)
   * @param checkpoint path of the newest complete checkpoint of this stage, or null if none yet
   */
  void report(long step, long total, double loss, String checkpoint);
}
