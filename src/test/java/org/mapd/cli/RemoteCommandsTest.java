package org.mapd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.workflows.FakeStages;
import org.mapd.workflows.Stages;

/**
 * temporal setup, reproduce, compare and resume against a server reached over gRPC with mutual TLS and an API
 * key from the environment: the SDK's test service on a loopback port ({@link LoopbackTemporal}).
 */
class RemoteCommandsTest extends CommandTest {
  static final String KEY = "test-key-6b1d";
  @TempDir Path dir;
  final Function<String, String> realEnvironment = Connection.environment;
  @AfterEach
  void restoreEnvironment() {
    Connection.environment = realEnvironment;
  }

  int run(Stages stages, List<String> connection, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(connection);
    return run(stages, all.toArray(String[]::new));
  }

  @Test
  void setupReproduceCompareAndResumeOverMutualTlsWithAnApiKey() throws Exception {
    Connection.environment = name -> name.equals(Connection.API_KEY_ENV) ? KEY : null;
    FakeStages stages = new FakeStages();
    try (LoopbackTemporal server = new LoopbackTemporal()) {
      List<String> tls = server.tlsOptions();
      assertEquals(0, run(stages, tls, "temporal", "setup"), err);
      assertEquals(8, out.lines().filter(l -> l.endsWith(": registered")).count(), out);
      assertTrue(out.contains("MapdSeed (Int): registered") && out.contains("MapdFtAvg (Double): registered"), out);
      assertEquals("Bearer " + KEY, server.headers.get("authorization"));
      assertEquals("default", server.headers.get("temporal-namespace"));
      assertEquals(0, run(stages, tls, "temporal", "setup"), err);
      assertEquals(8, out.lines().filter(l -> l.endsWith(": already registered")).count(), out);

      Path work = dir.resolve("work");
      assertEquals(0, run(stages, tls, "reproduce", "--plan", "workflows/mini.json", "--work", work.toString(),
          "--id", "remote-1"), err);
      assertTrue(Files.isRegularFile(Path.of(out.strip())), out);
      Path history = work.resolve("runs/remote-1/history.json");
      String json = Files.readString(history);
      assertFalse(json.contains(KEY), "the API key is in no payload");
      assertTrue(json.contains("MapdPlan"), "the run set its search attributes");

      assertEquals(0, run(stages, tls, "compare", "remote-1", "--out", dir.resolve("cmp").toString()), err);
      assertTrue(Files.readString(dir.resolve("cmp/compare.md")).contains("| remote-1 | mini | 222 | authors | completed |"));

      int calls = stages.calls.size();
      assertEquals(0, run(stages, tls, "resume", "remote-1", "--work", work.toString()), err);
      assertTrue(err.contains("resume remote-1 (completed) with the plan from its history (mini, seed 222)"), err);
      assertEquals(calls, stages.calls.size(), "every stage reused: " + stages.calls.subList(calls, stages.calls.size()));
    }
  }

  @Test
  void tlsOptionsThatCannotWorkAreInputErrors() {
    assertEquals(Main.BAD_INPUT, run(Stages.REAL, List.of(), "temporal", "setup", "--temporal", "127.0.0.1:1",
        "--tls-cert", "src/test/resources/tls/client.pem"));
    assertTrue(err.contains("--tls-cert and --tls-key go together"), err);
    assertEquals(Main.BAD_INPUT, run(Stages.REAL, List.of(), "temporal", "setup"));
    assertTrue(err.contains("temporal setup needs --temporal HOST:PORT"), err);
    assertEquals(Main.BAD_INPUT, run(Stages.REAL, List.of(), "compare", "nope-123", "--out", dir.toString()));
    assertTrue(err.contains("nope-123: no such history file or run folder (a workflow id needs --temporal)"), err);
  }
}
