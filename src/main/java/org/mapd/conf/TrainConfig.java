package org.mapd.conf;

/**
 * Hyper-parameters of one training stage (method.md §2). Sizes are per optimizer micro-step:
 * {@code batchSize} examples (or meta-tasks for MAPD and Multi-Task), {@code gradAccum} micro-steps per
 * AdamW step.
 *
 * @param epochs passes over the stage's data
 * @param lr peak learning rate of the cosine schedule (the meta learning rate for MAPD)
 * @param batchSize examples per micro-step, or tasks per micro-step for task-based strategies
 * @param gradAccum micro-steps per optimizer step
 * @param warmupRatio fraction of optimizer steps spent in linear warm-up
 * @param weightDecay AdamW decoupled weight decay
 * @param maxLen token budget of one sequence (longer ones are truncated)
 * @param kSupport support examples per meta-task (MAPD, Multi-Task)
 * @param kQuery query examples per meta-task
 * @param innerSteps MAPD inner-loop steps
 * @param innerLr initial value of every learned inner learning rate (LSLR)
 * @param innerChunks support chunks per inner step (the authors' grad_acc_part)
 * @param ictContext in-context examples per ICT sample (plus one query)
 * @param maxSteps cap on optimizer steps, 0 for none (lets the mini plan bound its time)
 * @param checkpointEvery optimizer steps between checkpoints
 * @param corpus mini warm-up only: fresh synthetic skill images added to its data (0 or absent: none)
 */
public record TrainConfig(
    int epochs,
    double lr,
    int batchSize,
    int gradAccum,
    double warmupRatio,
    double weightDecay,
    int maxLen,
    int kSupport,
    int kQuery,
    int innerSteps,
    double innerLr,
    int innerChunks,
    int ictContext,
    int maxSteps,
    int checkpointEvery,
    int corpus) {

  public TrainConfig {
    require(epochs > 0, "epochs must be > 0");
    require(lr > 0, "lr must be > 0");
    require(batchSize > 0, "batchSize must be > 0");
    require(gradAccum > 0, "gradAccum must be > 0");
    require(warmupRatio >= 0 && warmupRatio < 1, "warmupRatio must be in [0, 1)");
    require(weightDecay >= 0, "weightDecay must be >= 0");
    require(maxLen > 0, "maxLen must be > 0");
    require(maxSteps >= 0, "maxSteps must be >= 0");
    require(checkpointEvery > 0, "checkpointEvery must be > 0");
    require(corpus >= 0, "corpus must be >= 0");
  }

  static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
