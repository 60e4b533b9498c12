package org.mapd.images;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The PNG structure check: walks every chunk to IEND (or to the end of the file) and verifies each chunk's CRC,
 * so a truncated or damaged file is refused (PIL raises "image file is truncated" or a zlib error on those). Also
 * refused: an invalid IHDR (bit depth and colour type pairs of the PNG specification), a paletted image without
 * PLTE, no IDAT, IDAT chunks that are not consecutive, and images above PIL's pixel limit. A file that ends right
 * after its last complete chunk without IEND is accepted, as PIL accepts it.
 *
 * Not checked: that the zlib data inside correct-CRC IDAT chunks inflates to the right size. Only a broken writer
 * produces such a file (damage after writing breaks the CRC); a full decode (--full-image-check) catches it.
 */
final class PngStructure {
  private PngStructure() {}

  private static final byte[] SIGNATURE_REST = {'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int IHDR = type("IHDR"), PLTE = type("PLTE"), IDAT = type("IDAT"), IEND = type("IEND");

  private static int type(String t) {
    return t.charAt(0) << 24 | t.charAt(1) << 16 | t.charAt(2) << 8 | t.charAt(3);
  }

  /** @param in positioned after the first two bytes, 0x89 'P' */
  static ImageHeader.Png check(Path file, ByteSource in) throws IOException {
    String where = "the PNG signature";
    try {
      for (byte b : SIGNATURE_REST) {
        if (in.u8() != (b & 0xff)) throw new BadImageException(file, "not a PNG: bad signature");
      }
      ImageHeader.Png header = null;
      boolean palette = false;
      int idat = 0; // 0 none yet, 1 in the IDAT run, 2 after it
      CRC32 crc = new CRC32();
      byte[] ihdr = null;
      while (in.peek() >= 0) {
        long at = in.position();
        long length = in.u32();
        where = "the chunk at byte " + at;
        if (length > Integer.MAX_VALUE) throw new BadImageException(file, "chunk at byte " + at + " claims " + length + " bytes");
        byte[] t = in.bytes(4);
        int kind = (t[0] & 0xff) << 24 | (t[1] & 0xff) << 16 | (t[2] & 0xff) << 8 | (t[3] & 0xff);
        String name = new String(t, java.nio.charset.StandardCharsets.ISO_8859_1);
        where = "chunk " + name + " at byte " + at;
        crc.reset();
        crc.update(t);
        if (kind == IHDR && header == null && length == 13) {
          ihdr = in.bytes(13);
          crc.update(ihdr);
        } else {
          in.skip(length, crc);
        }
        if ((in.u32() & 0xffffffffL) != crc.getValue()) {
          throw new BadImageException(file, where + ": CRC mismatch (the file is damaged)");
        }
        if (header == null) {
          if (kind != IHDR || ihdr == null) throw new BadImageException(file, "the first chunk is " + name + ", not a 13-byte IHDR");
          header = ihdr(file, ihdr);
          continue;
        }
        if (kind == PLTE) palette = true;
        if (kind == IDAT) {
          if (idat == 2) throw new BadImageException(file, "IDAT chunks are not consecutive (" + where + ")");
          if (header.colourType() == 3 && !palette) throw new BadImageException(file, "paletted image without PLTE before IDAT");
          idat = 1;
        } else if (idat == 1) {
          idat = 2;
        }
        if (kind == IEND) break;
      }
      if (header == null) throw new EOFException();
      if (idat == 0) throw new BadImageException(file, "no IDAT chunk: the file has no image data");
      return header;
    } catch (EOFException e) {
      throw new BadImageException(file, "truncated: the file ends at byte " + in.position() + " inside " + where
          + " (PIL raises 'image file is truncated')", false, e);
    }
  }

  private static ImageHeader.Png ihdr(Path file, byte[] h) throws BadImageException {
    long width = (h[0] & 0xffL) << 24 | (h[1] & 0xff) << 16 | (h[2] & 0xff) << 8 | (h[3] & 0xff);
    long height = (h[4] & 0xffL) << 24 | (h[5] & 0xff) << 16 | (h[6] & 0xff) << 8 | (h[7] & 0xff);
    int depth = h[8] & 0xff;
    int colour = h[9] & 0xff;
    if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw new BadImageException(file, "IHDR size " + width + "x" + height + " is invalid");
    }
    boolean ok = switch (colour) {
      case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
      case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
      case 2, 4, 6 -> depth == 8 || depth == 16;
      default -> false;
    };
    if (!ok) throw new BadImageException(file, "IHDR bit depth " + depth + " with colour type " + colour + " is invalid");
    if (h[10] != 0 || h[11] != 0 || (h[12] & 0xff) > 1) {
      throw new BadImageException(file, "IHDR compression/filter/interlace method is not 0/0/0-1");
    }
    ImageHeader.checkPixels(file, width, height);
    return new ImageHeader.Png((int) width, (int) height, depth, colour);
  }
}
