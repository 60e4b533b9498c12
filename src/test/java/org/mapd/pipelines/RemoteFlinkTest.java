package org.mapd.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.data.SynthData;

/**
 * --flink-master HOST:PORT: the job goes through Flink's REST client to a running session cluster (a
 * MiniCluster with its REST endpoint here; infra/flink-session.sh starts the same as separate processes), not
 * the embedded [local] environment, and writes what the DirectRunner writes.
 */
class RemoteFlinkTest {
  @Test
  void aSessionClusterGivesTheDirectRunnersOutput(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    SynthData.generate(data, 3);
    PrepareSummary direct = PrepareData.run(PrepareDataTest.options("direct", data, tmp.resolve("direct")));
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0");
    try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
        .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build())) {
      cluster.start();
      String master = "localhost:" + cluster.getRestAddress().get().getPort();
      PrepareOptions o = PrepareDataTest.options("flink", data, tmp.resolve("remote"));
      o.setFlinkMaster(master);
      PrepareSummary remote = PrepareData.run(o);
      assertEquals(direct.datasets(), remote.datasets());
      assertEquals(direct.rejected(), remote.rejected());
      for (String ds : direct.datasets().keySet()) {
        assertEquals(Files.readString(DatasetFile.path(tmp.resolve("direct"), ds)),
            Files.readString(DatasetFile.path(tmp.resolve("remote"), ds)), ds);
      }
      assertEquals(1, cluster.listJobs().get().size()); // it ran on the cluster
    }
  }
}
