package org.mapd.train;

/**
 * Training produced a NaN or infinite loss or parameter. A retry would compute the same numbers again, so the
 * stage stops for good; the message names the step and the newest checkpoint written before it (every
 * checkpoint is finite: none is written after this is detected).
 */
public final class NonFiniteLoss extends RuntimeException {
  private final long step;
  private final String lastGood;

  public NonFiniteLoss(String what, long step, int epoch, int micro, String lastGood) {
    super(what + " at step " + step + " (epoch " + epoch + ", micro-step " + micro + "); last good checkpoint: "
        + (lastGood != null ? lastGood : "none written yet"));
    this.step = step;
    this.lastGood = lastGood;
  }

  /** The optimizer step whose loss or update was not finite. */
  public long step() {
    return step;
  }

  /** The newest checkpoint written before it, or null. */
  public String lastGood() {
    return lastGood;
  }
}
