package org.mapd.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.conf.Plan;
import org.mapd.pipelines.SplitRules;

/**
 * The prepare stage's content key holds every file the stage reads: the split rules (from the working directory
 * or -Dmapd.splitRules) and the dataset files they name. A change to any of them runs the stage again; no
 * change reuses it.
 */
class PrepareStageKeyTest {
  @TempDir Path dir;
  TestActivityEnvironment env;

  @AfterEach
  void close() {
    System.clearProperty("mapd.splitRules");
    if (env != null) env.close();
  }

  @Test
  void changedRulesOrInputsRunTheStageAgainAndNoChangeReusesIt() throws Exception {
    Path rules = Files.copy(SplitRules.DEFAULT_FILE, dir.resolve("split_rules.json"));
    System.setProperty("mapd.splitRules", rules.toString());
    Path datasets = dir.resolve("datasets");
    Path mix = datasets.resolve(SplitRules.load(rules).source("mix665k").file());
    Files.createDirectories(mix.getParent());
    Files.writeString(mix, "[]");
    Plan mini = ReproductionWorkflowTest.miniPlan();
    Plan plan = new Plan(mini.name(), mini.seed(), mini.fidelity(), mini.conf(), mini.models(),
        new Plan.DataPlan(null, datasets.toString(), "direct", null), mini.strategies(), mini.references(), mini.eval());

    FakeStages stages = new FakeStages();
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new DataActivitiesImpl(ReproductionWorkflowTest.BASE, new StageStore(dir.resolve("work")), stages, StageListener.NONE));
    DataActivities activities = env.newActivityStub(DataActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(1)).setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());

    String first = activities.prepareData(plan).prepared();
    assertEquals(first, activities.prepareData(plan).prepared(), "nothing changed: the stage is reused");
    assertEquals(List.of("prepare"), stages.calls);

    Files.writeString(rules, Files.readString(rules).replace("\"comment\"", "\"comment\" ")); // same rules, other bytes
    String afterRules = activities.prepareData(plan).prepared();
    assertEquals(List.of("prepare", "prepare"), stages.calls, "the split rules changed: the stage runs again");

    Files.setLastModifiedTime(mix, FileTime.fromMillis(Files.getLastModifiedTime(mix).toMillis() + 1000));
    String afterMix = activities.prepareData(plan).prepared();
    assertEquals(List.of("prepare", "prepare", "prepare"), stages.calls, "an input file changed: the stage runs again");
    assertEquals(3, List.of(first, afterRules, afterMix).stream().distinct().count(), "three outputs, three folders");
  }
}
