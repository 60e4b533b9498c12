package org.mapd.images;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.mapd.images.ImageHeader.JpegColour;

/**
 * The JPEG structure check: every marker segment of the file is parsed, and each condition under which libjpeg
 * (inside PIL, and inside the JDK's reader that TwelveMonkeys delegates to) stops with an error instead of a
 * warning is refused here, with the reason:
 *
 * <ul>
 *   <li>frame types both decoders read: baseline, extended and progressive Huffman (SOF0-2); not lossless,
 *       hierarchical or arithmetic-coded (the JDK cannot read arithmetic coding, Debian's PIL can: we refuse
 *       these rare files rather than train on something else than the authors);
 *   <li>8-bit samples and 1, 3 or 4 components (PIL: "cannot handle 12-bit layers", "cannot handle 2-layer
 *       images"), sampling factors 1..4 that divide the largest, at most 10 blocks per MCU, size within 65500 and
 *       within PIL's pixel limit;
 *   <li>tables: every quantisation table a scan's components use is defined; every Huffman table a scan uses is
 *       defined (slots 0 and 1 fall back to the standard tables, as both libjpegs do) and forms a valid code;
 *       progressive scan parameters are legal; segment lengths are consistent;
 *   <li>the end: EOI must follow the last scan. PIL raises "image file is truncated" without it (the JDK would
 *       fill the missing rows with grey and only warn), so a cut-off download is refused here.
 * </ul>
 *
 * Not checked: the entropy-coded data itself. libjpeg treats bad Huffman data as a warning and decodes the rest
 * (PIL and the JDK alike), so such a file still turns into pixels.
 */
final class JpegStructure {
  private JpegStructure() {}

  private static final int SOF0 = 0xc0, SOF1 = 0xc1, SOF2 = 0xc2, DHT = 0xc4, DAC = 0xcc, SOI = 0xd8, EOI = 0xd9,
      SOS = 0xda, DQT = 0xdb, DNL = 0xdc, DRI = 0xdd, APP0 = 0xe0, APP14 = 0xee, COM = 0xfe, TEM = 0x01;
  private static final int MAX_DIMENSION = 65500; // libjpeg's JPEG_MAX_DIMENSION
  private static final int MAX_BLOCKS_IN_MCU = 10;

  /** Huffman table slot states. */
  private static final byte UNDEFINED = 0, VALID = 1, INVALID = 2;

  /** @param in positioned right after SOI */
  static ImageHeader.Jpeg check(Path file, ByteSource in) throws IOException {
    State s = new State(file);
    try {
      for (int marker = nextMarker(in, s); ; marker = s.scans > 0 ? afterScan(in, s) : nextMarker(in, s)) {
        s.where = String.format("the segment of marker 0xFF%02X at byte %d", marker, in.position() - 2);
        switch (marker) {
          case SOI -> throw s.bad("a second SOI marker (libjpeg: invalid JPEG file structure)");
          case EOI -> {
            if (s.frame == null || s.scans == 0) throw s.bad("no image data: EOI before any scan");
            return s.header();
          }
          case SOF0, SOF1, SOF2 -> s.frame(in, marker);
          case 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf ->
              throw s.bad("unsupported JPEG process SOF" + (marker - 0xc0) + " (" + process(marker) + ")");
          case DHT -> s.huffman(in);
          case DQT -> s.quant(in);
          case DRI -> {
            if (in.u16() != 4) throw s.bad("DRI segment length is not 4");
            in.skip(2, null);
          }
          case SOS -> s.scan(in);
          case TEM, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7 -> {
            // standalone markers: nothing to read
          }
          default -> {
            boolean skippable = marker >= APP0 && marker <= 0xef || marker == COM || marker == DAC || marker == DNL
                || marker >= 0xde && marker <= 0xdf || marker >= 0xf0 && marker <= 0xfd;
            if (!skippable) throw s.bad(String.format("unknown marker 0xFF%02X", marker));
            int length = in.u16();
            if (length < 2) throw s.bad("segment length " + length + " < 2");
            if (marker == APP0 || marker == APP14) s.app(in, marker, length - 2);
            else in.skip(length - 2, null);
          }
        }
      }
    } catch (EOFException e) {
      throw new BadImageException(file, "truncated: the file ends at byte " + in.position() + " inside " + s.where
          + (s.scans > 0 ? " (no EOI marker: PIL raises 'image file is truncated')" : ""), false, e);
    }
  }

  private static String process(int sof) {
    return switch (sof) {
      case 0xc3 -> "lossless";
      case 0xc5, 0xc6, 0xc7 -> "hierarchical";
      case 0xc9, 0xca -> "arithmetic coding: the JDK's decoder cannot read it";
      default -> "lossless, hierarchical or arithmetic";
    };
  }

  /** Before the first scan: libjpeg and PIL skip stray bytes up to the next 0xFF, and 0xFF fill bytes. */
  private static int nextMarker(ByteSource in, State s) throws IOException {
    s.where = "the headers";
    while (true) {
      int b = in.u8();
      if (b != 0xff) continue;
      int m = in.u8();
      while (m == 0xff) m = in.u8();
      if (m != 0) return m;
    }
  }

  /**
   * After a scan header: skips the entropy-coded data to the next marker. In that data 0xFF is always followed by
   * 0x00 (a stuffed byte) or a restart marker, so the first other 0xFFxx is the next marker.
   */
  private static int afterScan(ByteSource in, State s) throws IOException {
    s.where = "the data of scan " + s.scans;
    while (true) {
      if (!in.skipPast(0xff)) throw new EOFException();
      int m = in.u8();
      while (m == 0xff) m = in.u8();
      if (m != 0 && (m < 0xd0 || m > 0xd7)) return m;
    }
  }

  /** One frame component. */
  private record Component(int id, int h, int v, int quant) {}

  private static final class State {
    final Path file;
    String where = "the headers";
    Component[] frame;
    int sof;
    int width;
    int height;
    int scans;
    int quantDefined; // bit per table slot 0..3
    boolean wideTables;
    final byte[] dc = new byte[4];
    final byte[] ac = new byte[4];
    boolean jfif;
    int adobeTransform = -1;

    State(Path file) {
      this.file = file;
    }

    BadImageException bad(String why) {
      return new BadImageException(file, why);
    }

    void frame(ByteSource in, int marker) throws IOException {
      if (frame != null) throw bad("a second frame header (SOF): libjpeg refuses it");
      int length = in.u16();
      int precision = in.u8();
      height = in.u16();
      width = in.u16();
      int n = in.u8();
      if (length != 8 + 3 * n) throw bad("SOF length " + length + " does not match its " + n + " components");
      if (precision != 8) throw bad(precision + "-bit samples: PIL cannot handle them");
      if (n != 1 && n != 3 && n != 4) throw bad(n + " components: PIL opens only 1, 3 or 4");
      if (width == 0 || height == 0) throw bad("zero width or height (DNL markers are not supported)");
      if (width > MAX_DIMENSION || height > MAX_DIMENSION) throw bad(width + "x" + height + " exceeds libjpeg's 65500");
      ImageHeader.checkPixels(file, width, height);
      Component[] c = new Component[n];
      int maxH = 0;
      int maxV = 0;
      for (int i = 0; i < n; i++) {
        int id = in.u8();
        int hv = in.u8();
        c[i] = new Component(id, hv >> 4, hv & 15, in.u8());
        if (c[i].h < 1 || c[i].h > 4 || c[i].v < 1 || c[i].v > 4) throw bad("sampling factor out of 1..4");
        if (c[i].quant > 3) throw bad("quantisation table index " + c[i].quant + " > 3");
        maxH = Math.max(maxH, c[i].h);
        maxV = Math.max(maxV, c[i].v);
      }
      for (Component x : c) {
        if (maxH % x.h != 0 || maxV % x.v != 0) throw bad("fractional sampling factors: libjpeg cannot upsample them");
      }
      frame = c;
      sof = marker;
    }

    void quant(ByteSource in) throws IOException {
      int left = in.u16() - 2;
      while (left > 0) {
        int pq = in.u8();
        int precision = pq >> 4;
        int slot = pq & 15;
        if (slot > 3) throw bad("DQT table index " + slot + " > 3");
        int size = precision == 0 ? 64 : 128;
        if (left < 1 + size) throw bad("DQT segment shorter than its tables");
        in.skip(size, null);
        left -= 1 + size;
        quantDefined |= 1 << slot;
        wideTables |= precision != 0;
      }
      if (left != 0) throw bad("DQT segment length does not match its tables");
    }

    void huffman(ByteSource in) throws IOException {
      int left = in.u16() - 2;
      while (left > 0) {
        if (left < 17) throw bad("DHT segment shorter than its tables");
        int tc = in.u8();
        int klass = tc >> 4;
        int slot = tc & 15;
        if (klass > 1 || slot > 3) throw bad("DHT table class/index " + klass + "/" + slot + " out of range");
        int[] counts = new int[17];
        int total = 0;
        for (int l = 1; l <= 16; l++) total += counts[l] = in.u8();
        if (total > 256 || left < 17 + total) throw bad("DHT table has " + total + " codes, more than the segment holds");
        byte[] symbols = in.bytes(total);
        left -= 17 + total;
        boolean valid = completeCode(counts);
        if (klass == 0) for (byte sym : symbols) valid &= (sym & 0xff) <= 15; // DC symbols are bit counts 0..15
        (klass == 0 ? dc : ac)[slot] = valid ? VALID : INVALID;
      }
      if (left != 0) throw bad("DHT segment length does not match its tables");
    }

    void app(ByteSource in, int marker, int length) throws IOException {
      int head = Math.min(length, 12);
      byte[] h = in.bytes(head);
      in.skip(length - head, null);
      String tag = new String(h, 0, Math.min(head, 5), StandardCharsets.ISO_8859_1);
      // libjpeg looks only at segments at least as long as the fixed JFIF (14) and Adobe (12) headers
      if (marker == APP0 && length >= 14 && tag.equals("JFIF\0")) jfif = true;
      if (marker == APP14 && length >= 12 && tag.equals("Adobe")) adobeTransform = h[11] & 0xff;
    }

    void scan(ByteSource in) throws IOException {
      if (frame == null) throw bad("scan before the frame header (SOS before SOF)");
      int length = in.u16();
      int n = in.u8();
      if (n < 1 || n > 4 || length != 6 + 2 * n) throw bad("SOS header of " + n + " components has length " + length);
      Component[] comps = new Component[n];
      int[] tables = new int[n];
      for (int i = 0; i < n; i++) {
        int id = in.u8();
        tables[i] = in.u8();
        for (Component c : frame) if (c.id == id) comps[i] = c;
        if (comps[i] == null) throw bad("scan names component " + id + ", which the frame does not have");
      }
      int ss = in.u8();
      int se = in.u8();
      int ahal = in.u8();
      int ah = ahal >> 4;
      int al = ahal & 15;
      if (n > 1) {
        int blocks = 0;
        for (Component c : comps) blocks += c.h * c.v;
        if (blocks > MAX_BLOCKS_IN_MCU) throw bad(blocks + " blocks per MCU, libjpeg allows 10");
      }
      boolean progressive = sof == SOF2;
      if (progressive) {
        boolean ok = ss == 0 ? se == 0 : se >= ss && se <= 63 && n == 1;
        if (!ok || ah != 0 && al != ah - 1 || al > 13) throw bad("invalid progressive scan parameters");
      }
      for (int i = 0; i < n; i++) {
        Component c = comps[i];
        if ((quantDefined & 1 << c.quant) == 0) throw bad("quantisation table " + c.quant + " is used but never defined");
        boolean needsDc = !progressive || ss == 0 && ah == 0;
        boolean needsAc = !progressive || ss > 0;
        if (needsDc) huffmanUsable(dc, tables[i] >> 4, "DC");
        if (needsAc) huffmanUsable(ac, tables[i] & 15, "AC");
      }
      scans++;
    }

    void huffmanUsable(byte[] slots, int slot, String klass) throws BadImageException {
      if (slot > 3) throw bad(klass + " Huffman table index " + slot + " > 3");
      if (slots[slot] == INVALID) throw bad(klass + " Huffman table " + slot + " is not a valid code");
      // both libjpegs supply the standard tables for slots 0 and 1 when a file has none (Motion-JPEG frames)
      if (slots[slot] == UNDEFINED && slot > 1) throw bad(klass + " Huffman table " + slot + " is used but never defined");
    }

    ImageHeader.Jpeg header() {
      return new ImageHeader.Jpeg(width, height, frame.length, colour(), sof, wideTables);
    }

    /** libjpeg's guess of the colour space, which PIL relies on (jdapimin.c, default_decompress_parms). */
    private JpegColour colour() {
      return switch (frame.length) {
        case 1 -> JpegColour.GRAY;
        case 3 -> {
          if (jfif) yield JpegColour.YCC;
          if (adobeTransform >= 0) yield adobeTransform == 0 ? JpegColour.RGB : JpegColour.YCC;
          int a = frame[0].id, b = frame[1].id, c = frame[2].id;
          yield a == 'R' && b == 'G' && c == 'B' ? JpegColour.RGB : JpegColour.YCC;
        }
        default -> adobeTransform < 0 || adobeTransform == 0 ? JpegColour.CMYK : JpegColour.YCCK;
      };
    }
  }

  /**
   * Whether code lengths form a usable canonical Huffman code: at no length may the codes assigned so far fill
   * the whole code space (libjpeg reserves the all-ones code and refuses such tables).
   */
  static boolean completeCode(int[] counts) {
    long code = 0;
    int last = 0;
    for (int l = 1; l <= 16; l++) if (counts[l] > 0) last = l;
    for (int l = 1; l <= last; l++) {
      code += counts[l];
      if (code >= 1L << l) return false;
      code <<= 1;
    }
    return true;
  }
}
