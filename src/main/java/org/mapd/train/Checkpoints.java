package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.mapd.DiskFull;
import org.mapd.Dirs;
import org.mapd.Json;
import org.mapd.model.Safetensors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OUT/checkpoints/step-XXXXXXX/{params.safetensors, optim.safetensors, state.json, checksums.json}. A
 * checkpoint is written into a hidden temporary folder and renamed, so a folder named step-* is complete
 * unless something changed it afterwards (a disk error, a copy cut short, a file system without atomic
 * rename); checksums.json (size and sha256 of each other file, written last) tells those apart. Resume takes
 * the newest checkpoint that verifies and logs each one it skips and why. The last {@link #KEEP} are kept.
 *
 * <p>Before writing, the free space of the folder's file system is compared with the checkpoint's size; a
 * checkpoint that does not fit fails with {@link DiskFull} and leaves no folder behind. Limit: checkpoints of
 * older versions (no checksums.json) are used unverified, with a warning.
 */
public final class Checkpoints {
  static final int KEEP = 2;
  static final String PARAMS = "params.safetensors";
  static final String OPTIM = "optim.safetensors";
  static final String STATE = "state.json";
  static final String CHECKSUMS = "checksums.json";
  private static final List<String> FILES = List.of(PARAMS, OPTIM, STATE);
  private static final String PREFIX = "step-";
  /** Room for the safetensors headers, state.json and checksums.json beside the tensor bytes. */
  private static final long SLACK = 64 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

  /** Usable bytes of the file system under a folder (-1 if unknown); tests stand in a full disk here. */
  interface Space {
    long usable(Path dir);
  }

  /** A loaded checkpoint; arrays belong to the manager given to {@link #load}. */
  record Loaded(Path dir, TrainState state, Map<String, NDArray> params, Map<String, NDArray> m, Map<String, NDArray> v) {}

  /** One line of checksums.json. */
  record FileSum(long bytes, String sha256) {}

  private final Path root;
  private final Space space;

  Checkpoints(Path stageOut) {
    this(stageOut, DiskFull::usable);
  }

  Checkpoints(Path stageOut, Space space) {
    this.root = stageOut.resolve("checkpoints");
    this.space = space;
  }

  Path save(TrainState state, Map<String, NDArray> params, AdamW adam) {
    String name = String.format("%s%07d", PREFIX, state.step());
    Map<String, NDArray> optim = new LinkedHashMap<>();
    adam.firstMoments().forEach((k, a) -> optim.put("m/" + k, a));
    adam.secondMoments().forEach((k, a) -> optim.put("v/" + k, a));
    long needed = bytes(params) + bytes(optim) + SLACK;
    Path tmp = null;
    try {
      Files.createDirectories(root);
      long free = space.usable(root);
      if (free >= 0 && free < needed) throw new DiskFull(root, needed, free, null);
      tmp = Files.createTempDirectory(root, ".tmp-" + name);
      Safetensors.save(tmp.resolve(PARAMS), params, Map.of());
      Safetensors.save(tmp.resolve(OPTIM), optim, Map.of());
      Json.writeAtomic(tmp.resolve(STATE), state);
      Map<String, FileSum> sums = new TreeMap<>();
      for (String f : FILES) sums.put(f, sum(tmp.resolve(f)));
      Json.writeAtomic(tmp.resolve(CHECKSUMS), sums);
      Path dir = root.resolve(name);
      if (Files.exists(dir)) Dirs.deleteTree(dir);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
      List<Path> all = complete();
      for (int i = 0; i < all.size() - KEEP; i++) Dirs.deleteTree(all.get(i));
      return dir;
    } catch (DiskFull e) {
      removeQuietly(tmp);
      throw new DiskFull(root, needed, e.free(), e.getCause()); // the whole checkpoint's size, not one file's
    } catch (IOException e) {
      removeQuietly(tmp);
      if (DiskFull.isCause(e, root, needed)) throw new DiskFull(root, needed, space.usable(root), e);
      throw new UncheckedIOException("cannot write checkpoint under " + root, e);
    } catch (RuntimeException e) {
      removeQuietly(tmp);
      throw e;
    }
  }

  /**
   * The newest checkpoint that verifies against its checksums and loads; half-written folders of a killed
   * run are removed first, and every newer checkpoint that fails is logged with the reason and passed over.
   */
  Optional<Loaded> loadNewest(NDManager manager) {
    if (Files.isDirectory(root)) {
      try (Stream<Path> s = Files.list(root)) {
        for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) Dirs.deleteTree(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<Path> all = complete();
    for (int i = all.size() - 1; i >= 0; i--) {
      Path dir = all.get(i);
      Optional<String> bad = verify(dir, true);
      if (bad.isPresent()) {
        LOG.warn("skipping checkpoint {}: {}", dir, bad.get());
        continue;
      }
      try {
        return Optional.of(load(manager, dir));
      } catch (RuntimeException e) {
        LOG.warn("skipping checkpoint {}: cannot load it: {}", dir, e.getMessage());
      }
    }
    return Optional.empty();
  }

  private static Loaded load(NDManager manager, Path dir) {
    TrainState state = Json.read(dir.resolve(STATE), TrainState.class);
    Map<String, NDArray> params = new LinkedHashMap<>(Safetensors.load(manager, dir.resolve(PARAMS)));
    Map<String, NDArray> m = new LinkedHashMap<>();
    Map<String, NDArray> v = new LinkedHashMap<>();
    Safetensors.load(manager, dir.resolve(OPTIM)).forEach((k, a) -> {
      if (k.startsWith("m/")) m.put(k.substring(2), a);
      else if (k.startsWith("v/")) v.put(k.substring(2), a);
    });
    return new Loaded(dir, state, params, m, v);
  }

  /**
   * Why a checkpoint folder cannot be trusted, or empty if it can: a file missing or of another size than
   * checksums.json records, or (with {@code hashes}) another sha256.
   */
  static Optional<String> verify(Path dir, boolean hashes) {
    Path sumsFile = dir.resolve(CHECKSUMS);
    if (!Files.exists(sumsFile)) {
      LOG.warn("checkpoint {} has no {} (written by an older version): used unverified", dir, CHECKSUMS);
      return Optional.empty();
    }
    Map<String, FileSum> sums;
    try {
      sums = Json.MAPPER.readValue(sumsFile.toFile(),
          Json.MAPPER.getTypeFactory().constructMapType(TreeMap.class, String.class, FileSum.class));
    } catch (IOException e) {
      return Optional.of(CHECKSUMS + " is unreadable: " + e.getMessage().lines().findFirst().orElse(""));
    }
    for (String f : FILES) {
      FileSum want = sums.get(f);
      if (want == null) return Optional.of(CHECKSUMS + " does not list " + f);
      Path file = dir.resolve(f);
      try {
        if (!Files.exists(file)) return Optional.of(f + " is missing");
        long size = Files.size(file);
        if (size != want.bytes()) return Optional.of(f + " has " + size + " bytes, " + CHECKSUMS + " says " + want.bytes());
        if (hashes) {
          String got = sum(file).sha256();
          if (!got.equals(want.sha256())) return Optional.of(f + " has sha256 " + got + ", " + CHECKSUMS + " says " + want.sha256());
        }
      } catch (IOException e) {
        return Optional.of(f + " cannot be read: " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * The newest checkpoint folder in a stage's output whose files have the recorded sizes: where a rerun of the
   * stage resumes unless a checksum fails. Cheap (no hashing), for a log line.
   */
  public static Optional<Path> newest(Path stageOut) {
    List<Path> all = new Checkpoints(stageOut).complete();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (verify(all.get(i), false).isEmpty()) return Optional.of(all.get(i));
    }
    return Optional.empty();
  }

  /** Checkpoint folders that were renamed into place (state.json present), oldest first. */
  List<Path> complete() {
    if (!Files.isDirectory(root)) return List.of();
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(PREFIX))
          .filter(p -> Files.exists(p.resolve(STATE)))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static FileSum sum(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return new FileSum(Files.size(file), HexFormat.of().formatHex(digest.digest()));
  }

  private static long bytes(Map<String, NDArray> arrays) {
    long n = 0;
    for (NDArray a : arrays.values()) n += a.getShape().size() * a.getDataType().getNumOfBytes();
    return n;
  }

  private static void removeQuietly(Path tmp) {
    if (tmp == null) return;
    try {
      Dirs.deleteTree(tmp);
    } catch (IOException e) {
      LOG.warn("cannot remove the unfinished checkpoint {}: {}", tmp, e.toString());
    }
  }
}
