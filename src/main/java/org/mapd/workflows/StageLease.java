package org.mapd.workflows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.mapd.Json;

/**
 * The right to write one stage, held by one attempt at a time: ATTEMPTS/lease-NNNNNN.json, numbered by
 * generation. An attempt takes generation n+1 only when the holder of n is gone (released, its process dead on
 * this host, or its expiry passed); the new file is made complete under a temporary name and then hard-linked
 * to its final name, which fails when another attempt linked it first, so exactly one attempt wins each
 * generation. The holder renews its expiry from the heartbeat ticker; when a higher generation appears it has
 * lost the lease (it was taken for dead) and must stop without publishing.
 *
 * <p>What it needs from the file system: atomic hard-link creation that fails on an existing name, atomic
 * rename, and clocks of the hosts sharing it that agree to well within the lease's time to live.
 */
final class StageLease {
  /** Content of a lease file. {@code expires} 0 means released. */
  record Holder(String owner, String host, long pid, long expires) {}

  /** Owners of leases held in this JVM: a holder of this process not in it is a dead attempt of this process. */
  private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();
  private static final String PREFIX = "lease-";
  static final String HOST = host();

  private final Path folder;
  private final long generation;
  private final String owner;
  private final long ttlMillis;
  private volatile boolean lost;

  private StageLease(Path folder, long generation, String owner, long ttlMillis) {
    this.folder = folder;
    this.generation = generation;
    this.owner = owner;
    this.ttlMillis = ttlMillis;
  }

  /** Result of a try: the lease, or who holds it now. */
  record Try(StageLease lease, Holder holder) {}

  /** Takes the lease if nobody alive holds it; otherwise says who does (holder null: a race, try again). */
  static Try tryAcquire(Path folder, long ttlMillis) {
    try {
      Files.createDirectories(folder);
      long n = newestGeneration(folder);
      if (n > 0) {
        Optional<Holder> h = read(file(folder, n));
        if (h.isEmpty() && !stale(file(folder, n), ttlMillis)) return new Try(null, null); // just linked: look again
        if (h.isPresent() && alive(h.get(), System.currentTimeMillis())) return new Try(null, h.get());
      }
      String owner = HOST + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID();
      StageLease lease = new StageLease(folder, n + 1, owner, ttlMillis);
      Path tmp = lease.writeTemp();
      // Live before the file appears: another attempt of this JVM that reads it at once must see it alive.
      LIVE.add(owner);
      boolean won = false;
      try {
        Files.createLink(file(folder, n + 1), tmp);
        won = true;
      } catch (FileAlreadyExistsException e) {
        return new Try(null, null);
      } finally {
        if (!won) LIVE.remove(owner);
        Files.deleteIfExists(tmp);
      }
      return new Try(lease, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot take the lease in " + folder, e);
    }
  }

  /** Whether the holder may still be writing: not released, its process alive if on this host, not expired. */
  static boolean alive(Holder h, long now) {
    if (h.expires() == 0) return false;
    if (h.host().equals(HOST)) {
      if (h.pid() == ProcessHandle.current().pid()) return LIVE.contains(h.owner());
      if (!ProcessHandle.of(h.pid()).map(ProcessHandle::isAlive).orElse(false)) return false;
    }
    return now < h.expires();
  }

  long generation() {
    return generation;
  }

  String owner() {
    return owner;
  }

  /** Pushes the expiry forward, unless a higher generation shows the lease was taken over. */
  void renew() {
    if (lost || taken()) {
      lost = true;
      return;
    }
    try {
      Files.move(writeTemp(), file(folder, generation), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // A renewal that fails now may work at the next tick; the lease only lapses at its expiry.
    }
  }

  /** Whether this attempt still holds the lease (checked on disk, not only at the last renewal). */
  boolean held() {
    if (!lost && taken()) lost = true;
    return !lost;
  }

  /** Whether the last renewal found the lease taken over: cheap, for every step. */
  boolean lost() {
    return lost;
  }

  /** Gives the lease up at once, so a waiting attempt can take over without waiting for the expiry. */
  void release() {
    LIVE.remove(owner);
    if (lost || taken()) return;
    try {
      Files.move(write(new Holder(owner, HOST, ProcessHandle.current().pid(), 0)), file(folder, generation),
          StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // the process being alive or the expiry tells the others
    }
  }

  /** Forgets this lease in the JVM after the folder holding it was removed. */
  void forget() {
    LIVE.remove(owner);
  }

  private boolean taken() {
    return Files.exists(file(folder, generation + 1));
  }

  private Path writeTemp() throws IOException {
    return write(new Holder(owner, HOST, ProcessHandle.current().pid(), System.currentTimeMillis() + ttlMillis));
  }

  private Path write(Holder h) throws IOException {
    Path tmp = Files.createTempFile(folder, ".lease", ".tmp");
    Files.writeString(tmp, Json.write(h));
    return tmp;
  }

  static Path file(Path folder, long generation) {
    return folder.resolve(String.format("%s%06d.json", PREFIX, generation));
  }

  static long newestGeneration(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) return 0;
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(PREFIX) && n.endsWith(".json"))
          .mapToLong(n -> Long.parseLong(n.substring(PREFIX.length(), n.length() - 5)))
          .max().orElse(0);
    }
  }

  /** An unreadable lease file (deleted, damaged) counts as gone once it is older than a lease lives. */
  private static boolean stale(Path file, long ttlMillis) {
    try {
      return System.currentTimeMillis() - Files.getLastModifiedTime(file).toMillis() > ttlMillis;
    } catch (IOException e) {
      return false; // removed: the stage was just published, or the folder cleaned; the caller looks again
    }
  }

  static Optional<Holder> read(Path file) {
    try {
      return Optional.of(Json.MAPPER.readValue(Files.readString(file, StandardCharsets.UTF_8), Holder.class));
    } catch (IOException e) { // also JsonProcessingException: a damaged file
      return Optional.empty();
    }
  }

  /** The kernel's host name (no DNS look-up), else the environment's, else the resolver's. */
  private static String host() {
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
      if (!h.isEmpty()) return h;
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) return h;
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
