package org.mapd.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.mapd.conf.Fidelity;

/** The preparation's options as a Beam program takes them, and what the runners see of them. */
class PrepareOptionsTest {
  @Test
  void parsedFromArgumentsWithDefaults() {
    PrepareOptions o = PipelineOptionsFactory.fromArgs("--datasets=/d", "--out=/o", "--runner=FlinkRunner",
        "--flinkMaster=[local]", "--parallelism=2", "--fullImageCheck", "--fidelity=INTENDED").withValidation()
        .as(PrepareOptions.class);
    assertEquals("/d", o.getDatasets());
    assertEquals(FlinkRunner.class, o.getRunner());
    assertTrue(o.getFullImageCheck());
    assertEquals(Fidelity.INTENDED, o.getFidelity());
    assertEquals(SplitRules.defaultFile().toString(), o.getSplitRules());
    assertEquals(0, o.getSeed());
    // the FlinkRunner reads its own interface: the same properties, no contradicting defaults
    FlinkPipelineOptions flink = o.as(FlinkPipelineOptions.class);
    assertEquals("[local]", flink.getFlinkMaster());
    assertEquals(2, flink.getParallelism());
    assertEquals("[auto]", PipelineOptionsFactory.as(PrepareOptions.class).as(FlinkPipelineOptions.class).getFlinkMaster());
  }

  @Test
  void datasetsAndOutAreRequired() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PipelineOptionsFactory.fromArgs("--datasets=/d").withValidation().as(PrepareOptions.class));
    assertTrue(e.getMessage().contains("--out"), e.getMessage());
  }

  @Test
  void runnersByTheNamesPlansUse() {
    PrepareOptions direct = PrepareOptions.forRunner("direct");
    assertEquals(org.apache.beam.runners.direct.DirectRunner.class, direct.getRunner());
    assertFalse(direct.as(DirectOptions.class).isEnforceImmutability(), "off for data-sized runs");
    assertEquals(FlinkRunner.class, PrepareOptions.forRunner("flink").getRunner());
    assertThrows(IllegalArgumentException.class, () -> PrepareOptions.forRunner("spark"));
  }
}
