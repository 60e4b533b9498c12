package org.mapd.sizing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanEstimateTest {
  static PlanEstimate.Stage stage(String name, double hours, String... after) {
    return new PlanEstimate.Stage(name, 0, 0, 0, 0, 0, hours, 1, 0, true, List.of(after));
  }

  @Test
  void stagesWaitForTheirInputsAndShareTheGpus() {
    List<PlanEstimate.Stage> stages = List.of(stage("Pretrain", 10), stage("Finetune a", 5, "Pretrain"),
        stage("Finetune b", 3, "Pretrain"), stage("Evaluate a", 1, "Finetune a"), stage("Evaluate b", 1, "Finetune b"));
    assertEquals(20, PlanEstimate.schedule(stages, 1), 1e-9, "one GPU: everything in a row");
    // two GPUs: a and b side by side after pretraining; a's evaluation after a, b's on the freed GPU
    assertEquals(16, PlanEstimate.schedule(stages, 2), 1e-9);
    assertEquals(16, PlanEstimate.schedule(stages, 8), 1e-9, "more GPUs than stages change nothing");
  }
}
