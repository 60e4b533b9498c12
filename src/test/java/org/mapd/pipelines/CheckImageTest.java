package org.mapd.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two levels of the preparation's image check, and what separates them. */
class CheckImageTest {
  static final Path IMAGES = Path.of("src/test/resources/images");

  static Checks.Rejected rejected(Path p, boolean full) {
    return assertThrows(Checks.Rejected.class, () -> Checks.checkImage(p, full));
  }

  @Test
  void bothLevelsAcceptWhatPilDecodes() throws Exception {
    for (String name : new String[] {"cmyk.jpg", "ycck.jpg", "progressive.jpg", "qtable16.jpg", "gray16.png", "palette.png", "png_named.jpg"}) {
      Checks.checkImage(IMAGES.resolve(name), false);
      Checks.checkImage(IMAGES.resolve(name), true);
    }
  }

  @Test
  void bothLevelsRefuseTruncatedFilesNamingThem(@TempDir Path dir) throws Exception {
    byte[] jpg = Files.readAllBytes(IMAGES.resolve("progressive.jpg"));
    Path cut = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(jpg, jpg.length - 100));
    for (boolean full : new boolean[] {false, true}) {
      Checks.Rejected r = rejected(cut, full);
      assertEquals(Checks.Reason.IMAGE_UNDECODABLE, r.reason);
      assertTrue(r.getMessage().startsWith(cut + ": truncated"), r.getMessage());
      assertEquals(Checks.Reason.IMAGE_MISSING, rejected(dir.resolve("gone.jpg"), full).reason);
    }
  }

  /**
   * A PNG whose IDAT holds bytes that are not zlib data, with a correct CRC: only a broken writer makes one. The
   * structure check cannot tell (it does not inflate); the full check does.
   */
  @Test
  void onlyTheFullCheckInflates(@TempDir Path dir) throws Exception {
    byte[] png = Files.readAllBytes(IMAGES.resolve("gray.png"));
    ByteBuffer b = ByteBuffer.wrap(png);
    int at = 8;
    while (!new String(png, at + 4, 4, "ISO-8859-1").equals("IDAT")) at += 12 + b.getInt(at);
    int length = b.getInt(at);
    Arrays.fill(png, at + 8, at + 8 + length, (byte) 0x5a);
    CRC32 crc = new CRC32();
    crc.update(png, at + 4, 4 + length);
    b.putInt(at + 8 + length, (int) crc.getValue());
    Path bad = Files.write(dir.resolve("writer-bug.png"), png);
    Checks.checkImage(bad, false);
    Checks.Rejected r = rejected(bad, true);
    assertEquals(Checks.Reason.IMAGE_UNDECODABLE, r.reason);
    assertTrue(r.getMessage().startsWith(bad.toString()), r.getMessage());
  }
}
