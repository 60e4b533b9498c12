package org.mapd.workflows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.mapd.Json;

/**
 * Durable stage outputs under WORK/stages. The embedded Temporal service keeps no history across runs,
 * so this folder is what makes a rerun cheap: a stage whose DONE.json exists is reused. A stage runs in a
 * private attempt folder under WORK/attempts and appears in WORK/stages, with its DONE.json, by one rename;
 * an unfinished one is re-run in a new attempt that starts from the files (checkpoints, samples) of the last.
 */
public final class StageStore {
  public static final String DONE = "DONE.json";

  private final Path work;

  public StageStore(Path work) {
    this.work = work.toAbsolutePath().normalize();
  }

  public Path work() {
    return work;
  }

  /** WORK/runs/RUN-ID: a run's report and (embedded mode) its history; the id made safe as a folder name. */
  public Path runDir(String runId) {
    return work.resolve("runs").resolve(runId.replaceAll("[^A-Za-z0-9._-]", "_"));
  }

  public Path dir(StageKey key) {
    return work.resolve("stages").resolve(key.folderName());
  }

  /**
   * WORK/attempts/FOLDER: the lease of a stage and the private folders of its attempts, until one publishes
   * its folder as {@link #dir} ({@code stageDir}) by a rename.
   */
  public Path attempts(Path stageDir) {
    return work.resolve("attempts").resolve(stageDir.getFileName().toString());
  }

  /** The stored result of a finished stage, if there is one. */
  public <T> Optional<T> done(Path dir, Class<T> type) {
    Path done = dir.resolve(DONE);
    return Files.isRegularFile(done) ? Optional.of(Json.read(done, type)) : Optional.empty();
  }

  /** Marks the stage finished; written atomically so a crash never leaves a half DONE.json. */
  public void markDone(Path dir, Object result) {
    Json.writeAtomic(dir.resolve(DONE), result);
  }
}
