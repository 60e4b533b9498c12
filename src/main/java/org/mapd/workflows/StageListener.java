package org.mapd.workflows;

import java.nio.file.Path;

/** What a worker shows while stages run: the CLI draws bars from it, a remote worker just logs. */
public interface StageListener {
  /** @param resumedFrom the last heartbeat of a failed attempt, or null on a first attempt */
  default void started(String stage, Path dir, HeartbeatDetails resumedFrom) {}

  default void progress(String stage, long step, long total, double loss) {}

  default void finished(String stage, Path dir, boolean reused) {}

  default void failed(String stage, Throwable error) {}

  StageListener NONE = new StageListener() {};
}
