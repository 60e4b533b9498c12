package org.mapd.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * Activity options of the stages. The SDK's default retry policy retries forever, which turns a bad
 * config into an endless loop; here three attempts, and input errors are not retried at all.
 */
final class StageOptions {
  private StageOptions() {}

  /** Error type of failures a retry cannot fix; the message says what to change. */
  static final String INVALID_INPUT = "InvalidInput";

  /** Error type of a NaN or infinite loss: the message names the step and the last good checkpoint. */
  static final String NON_FINITE = "NonFiniteLoss";

  /** Error type of a full disk: the message names the folder and the bytes needed; rerun after freeing space. */
  static final String DISK_FULL = "DiskFull";

  static final RetryOptions RETRY =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(5))
          .setBackoffCoefficient(2)
          .setMaximumAttempts(3)
          .setDoNotRetry(INVALID_INPUT, NON_FINITE, DISK_FULL, IllegalArgumentException.class.getName())
          .build();

  /** Data preparation: a Beam job over 665k records (Flink for the paper plan). */
  static final ActivityOptions CPU =
      ActivityOptions.newBuilder()
          .setTaskQueue(Workers.CPU)
          .setStartToCloseTimeout(Duration.ofHours(12))
          .setHeartbeatTimeout(Duration.ofSeconds(60))
          .setRetryOptions(RETRY)
          .build();

  /** Training and evaluation: days at paper scale; a dead worker is noticed by the missing heartbeat. */
  static final ActivityOptions GPU =
      ActivityOptions.newBuilder()
          .setTaskQueue(Workers.GPU)
          .setStartToCloseTimeout(Duration.ofHours(96))
          .setHeartbeatTimeout(Duration.ofSeconds(60))
          .setRetryOptions(RETRY)
          .build();

  /** The same options with the summary the Web UI shows for the activity, e.g. "Finetune modelavg/gqa". */
  static ActivityOptions summarized(ActivityOptions options, String summary) {
    return ActivityOptions.newBuilder(options).setSummary(summary).build();
  }

  /** The report reads a few JSON files and draws two charts. */
  static final ActivityOptions REPORT =
      ActivityOptions.newBuilder()
          .setTaskQueue(Workers.CPU)
          .setStartToCloseTimeout(Duration.ofMinutes(30))
          .setRetryOptions(RETRY)
          .build();
}
