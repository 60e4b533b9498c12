package org.mapd.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.common.converter.DefaultDataConverter;
import org.junit.jupiter.api.Test;

/** A NaN loss (the failure a user most wants to see) must survive the trip through a heartbeat payload. */
class HeartbeatDetailsTest {
  @Test
  void nanLossAndMissingCheckpointRoundTrip() {
    var converter = DefaultDataConverter.newDefaultInstance();
    HeartbeatDetails sent = new HeartbeatDetails(40_000, 50_000, Double.NaN, null);
    var payload = converter.toPayload(sent).orElseThrow();
    HeartbeatDetails got = converter.fromPayload(payload, HeartbeatDetails.class, HeartbeatDetails.class);
    assertEquals(40_000, got.step());
    assertTrue(Double.isNaN(got.loss()));
    assertNull(got.checkpoint());
  }
}
