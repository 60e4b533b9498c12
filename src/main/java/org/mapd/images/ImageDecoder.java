package org.mapd.images;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.mapd.images.ImageHeader.JpegColour;

/**
 * Image file -> the pixels PIL's {@code Image.open(f).convert('RGB')} gives, which is what the authors' LLaVA
 * loader trains on. The file first passes the structure check ({@link ImageHeader#read}), so a truncated file
 * fails here as it does in PIL, with the file named.
 *
 * <p>JPEG: TwelveMonkeys' reader (through ImageIO) reads every JPEG flavour, but its RGB output is
 * colour-managed: it applies embedded ICC profiles and converts CMYK through a CMYK profile, while PIL ignores ICC
 * profiles and converts CMYK with a plain formula. So we take the raw decoded components ({@code readRaster}:
 * IDCT and upsampling by the JDK's libjpeg, no colour conversion) and convert them ourselves the way libjpeg and
 * PIL do. The result equals PIL's byte for byte on our fixtures (ImageDecoderTest). Exception: JPEGs with 16-bit
 * quantisation tables go to the JDK's own reader, because TwelveMonkeys rewrites those tables to 8 bits
 * (measured: up to 154 levels off), while the JDK's reader reads them exactly.
 *
 * <p>PNG: the JDK's reader, then PIL's per-mode rules on the samples, not ImageIO's getRGB (which treats grey
 * as linear light and brightens it: grey 123 becomes 185).
 */
public final class ImageDecoder {
  private ImageDecoder() {}

  /** Decodes an image file as PIL would; the exception names the file and says why it cannot. */
  public static Rgb decode(Path file) throws BadImageException {
    ImageHeader header = ImageHeader.read(file);
    try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
      if (header instanceof ImageHeader.Jpeg j) return jpeg(file, j, in);
      return png(file, (ImageHeader.Png) header, in);
    } catch (BadImageException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // ImageIO readers signal damaged data with IIOException, but also with IndexOutOfBounds and the like
      throw new BadImageException(file, "cannot decode: " + e, false, e);
    }
  }

  private static Rgb jpeg(Path file, ImageHeader.Jpeg h, ImageInputStream in) throws IOException {
    Raster raster;
    if (h.wideTables()) {
      // The JDK's reader throws on metadata TwelveMonkeys tolerates (a broken ICC segment, ...); it reads only the
      // raw components here, which no APPn segment affects, so it gets the file without them.
      byte[] bytes = withoutAppSegments(Files.readAllBytes(file));
      try (ImageInputStream stripped = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
        raster = readRaster(Readers.JDK_JPEG, stripped);
      }
    } else {
      raster = readRaster(Readers.TWELVE_MONKEYS_JPEG, in);
    }
    int w = h.width();
    int n = h.components();
    if (raster.getWidth() != w || raster.getHeight() != h.height() || raster.getNumBands() != n) {
      throw new BadImageException(file, "the decoder returned " + raster.getWidth() + "x" + raster.getHeight() + "x"
          + raster.getNumBands() + " samples for a " + w + "x" + h.height() + "x" + n + " JPEG");
    }
    byte[] out = new byte[3 * w * h.height()];
    Samples px = new Samples(raster);
    int k = 0;
    for (int y = 0; y < h.height(); y++) {
      for (int x = 0; x < w; x++) {
        switch (h.colour()) {
          case GRAY -> {
            int v = px.get(x, y, 0);
            k = put(out, k, v, v, v);
          }
          case RGB -> k = put(out, k, px.get(x, y, 0), px.get(x, y, 1), px.get(x, y, 2));
          case YCC -> {
            int rgb = ycc(px.get(x, y, 0), px.get(x, y, 1), px.get(x, y, 2));
            k = put(out, k, rgb >> 16, rgb >> 8 & 0xff, rgb & 0xff);
          }
          // PIL reads every 4-component JPEG as Adobe-inverted CMYK (rawmode CMYK;I)
          case CMYK -> k = cmyk(out, k, 255 - px.get(x, y, 0), 255 - px.get(x, y, 1), 255 - px.get(x, y, 2),
              255 - px.get(x, y, 3));
          case YCCK -> {
            // libjpeg: YCC -> RGB, C, M, Y = 255 - R, G, B, K as stored; then PIL's inversion: C, M, Y = R, G, B
            int rgb = ycc(px.get(x, y, 0), px.get(x, y, 1), px.get(x, y, 2));
            k = cmyk(out, k, rgb >> 16, rgb >> 8 & 0xff, rgb & 0xff, 255 - px.get(x, y, 3));
          }
        }
      }
    }
    return new Rgb(w, h.height(), out);
  }

  private static Raster readRaster(ImageReaderSpi spi, ImageInputStream in) throws IOException {
    ImageReader reader = spi.createReaderInstance();
    try {
      reader.setInput(in, true, true);
      return reader.readRaster(0, null);
    } finally {
      reader.dispose();
    }
  }

  /**
   * The JPEG without its APP1..APP15 and COM segments before the first scan (APP0 is kept). The file has passed the
   * structure check, so its headers are well-formed segments; bytes between segments are copied as they are.
   */
  static byte[] withoutAppSegments(byte[] jpeg) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(jpeg.length);
    out.write(jpeg, 0, 2); // SOI
    int i = 2;
    while (i + 3 < jpeg.length) {
      if ((jpeg[i] & 0xff) != 0xff || (jpeg[i + 1] & 0xff) == 0xff || jpeg[i + 1] == 0) {
        out.write(jpeg[i++]); // stray or fill byte: leave it to libjpeg, as the structure check did
        continue;
      }
      int marker = jpeg[i + 1] & 0xff;
      if (marker == 0xda) break; // SOS: the rest is scans
      boolean standalone = marker == 0x01 || marker >= 0xd0 && marker <= 0xd7;
      int length = standalone ? 0 : (jpeg[i + 2] & 0xff) << 8 | (jpeg[i + 3] & 0xff);
      boolean drop = marker > 0xe0 && marker <= 0xef || marker == 0xfe;
      if (!drop) out.write(jpeg, i, 2 + length);
      i += 2 + length;
    }
    out.write(jpeg, i, jpeg.length - i);
    return out.toByteArray();
  }

  private static int put(byte[] out, int k, int r, int g, int b) {
    out[k] = (byte) r;
    out[k + 1] = (byte) g;
    out[k + 2] = (byte) b;
    return k + 3;
  }

  // JFIF YCbCr -> RGB in libjpeg's fixed point (16 fraction bits, rounded tables), so results match it exactly.
  private static final int[] CR_R = new int[256], CB_B = new int[256], CR_G = new int[256], CB_G = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int x = i - 128;
      CR_R[i] = (fixed(1.40200) * x + (1 << 15)) >> 16;
      CB_B[i] = (fixed(1.77200) * x + (1 << 15)) >> 16;
      CR_G[i] = -fixed(0.71414) * x;
      CB_G[i] = -fixed(0.34414) * x + (1 << 15);
    }
  }

  private static int fixed(double v) {
    return (int) (v * 65536 + 0.5);
  }

  /** Packed 0xRRGGBB. */
  private static int ycc(int y, int cb, int cr) {
    return clip(y + CR_R[cr]) << 16 | clip(y + ((CB_G[cb] + CR_G[cr]) >> 16)) << 8 | clip(y + CB_B[cb]);
  }

  /** PIL's CMYK -> RGB (Convert.c cmyk2rgb): each of C, M, Y darkened by K, no colour management. */
  private static int cmyk(byte[] out, int k, int c, int m, int y, int black) {
    int nk = 255 - black;
    return put(out, k, clip(nk - mulDiv255(c, nk)), clip(nk - mulDiv255(m, nk)), clip(nk - mulDiv255(y, nk)));
  }

  /** a * b / 255, rounded, in integers. */
  private static int mulDiv255(int a, int b) {
    int t = a * b + 128;
    return (t + (t >> 8)) >> 8;
  }

  private static int clip(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  private static Rgb png(Path file, ImageHeader.Png h, ImageInputStream in) throws IOException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) throw new BadImageException(file, "no ImageIO reader for this PNG");
    ImageReader reader = readers.next();
    BufferedImage img;
    try {
      reader.setInput(in, true, true);
      img = reader.read(0);
    } finally {
      reader.dispose();
    }
    int w = h.width();
    Raster raster = img.getRaster();
    if (img.getWidth() != w || img.getHeight() != h.height()) {
      throw new BadImageException(file, "the decoder returned " + img.getWidth() + "x" + img.getHeight()
          + " pixels for a " + w + "x" + h.height() + " PNG");
    }
    byte[] out = new byte[3 * w * h.height()];
    Samples px = new Samples(raster);
    int k = 0;
    if (img.getColorModel() instanceof IndexColorModel palette) {
      // paletted, and grey of 1, 2 or 4 bits (the JDK gives those a grey palette: 0, 85, 170, 255 for 2 bits, as
      // PIL's L;2 scaling): PIL converts P -> RGB through the palette and ignores transparency
      for (int y = 0; y < h.height(); y++) {
        for (int x = 0; x < w; x++) {
          int i = px.get(x, y, 0);
          k = put(out, k, palette.getRed(i), palette.getGreen(i), palette.getBlue(i));
        }
      }
      return new Rgb(w, h.height(), out);
    }
    boolean grey = h.colourType() == 0 || h.colourType() == 4;
    int bands = raster.getNumBands();
    if (bands < (grey ? 1 : 3) || raster.getSampleModel().getSampleSize(0) != h.bitDepth()) {
      throw new BadImageException(file, "unexpected raster from the PNG reader: " + bands + " bands of "
          + raster.getSampleModel().getSampleSize(0) + " bits for bit depth " + h.bitDepth() + ", colour type " + h.colourType());
    }
    for (int y = 0; y < h.height(); y++) {
      for (int x = 0; x < w; x++) {
        if (grey) {
          int v = grey(h, px.get(x, y, 0));
          k = put(out, k, v, v, v);
        } else if (h.bitDepth() == 16) {
          // PIL's RGB;16B keeps the high byte
          k = put(out, k, px.get(x, y, 0) >> 8, px.get(x, y, 1) >> 8, px.get(x, y, 2) >> 8);
        } else {
          k = put(out, k, px.get(x, y, 0), px.get(x, y, 1), px.get(x, y, 2));
        }
      }
    }
    return new Rgb(w, h.height(), out);
  }

  /**
   * One grey sample as PIL converts it. PIL opens 16-bit grey PNGs as 32-bit integers (mode I), and I -> RGB
   * clips to 0..255 rather than scaling: values above 255 become white. 16-bit grey with alpha opens as LA, which
   * keeps the high byte. 8-bit grey is taken as is; 1, 2 and 4 bits are scaled to 0..255. (Pillow 9.4, Debian 12;
   * checked by the fixtures.)
   */
  private static int grey(ImageHeader.Png h, int v) {
    return switch (h.bitDepth()) {
      case 16 -> h.colourType() == 0 ? Math.min(v, 255) : v >> 8;
      case 8 -> v;
      default -> v * 255 / ((1 << h.bitDepth()) - 1); // PIL's L;1, L;2, L;4 (the JDK gives these a palette)
    };
  }

  /**
   * Sample reads straight from a raster's array when its layout allows (ImageIO's readers give byte or ushort
   * component layouts); Raster.getSample otherwise (packed sub-byte PNG samples). Coordinates from 0.
   */
  private static final class Samples {
    private final Raster raster;
    private final byte[] bytes;
    private final short[] shorts;
    private final int[] bandOffsets;
    private final int pixelStride;
    private final int lineStride;
    private final int origin;

    Samples(Raster r) {
      raster = r;
      DataBuffer db = r.getDataBuffer();
      boolean direct = r.getSampleModel() instanceof ComponentSampleModel m && db.getNumBanks() == 1
          && java.util.Arrays.stream(m.getBankIndices()).allMatch(b -> b == 0)
          && (db instanceof DataBufferByte || db instanceof DataBufferUShort);
      if (direct) {
        ComponentSampleModel m = (ComponentSampleModel) r.getSampleModel();
        bytes = db instanceof DataBufferByte b ? b.getData() : null;
        shorts = db instanceof DataBufferUShort u ? u.getData() : null;
        bandOffsets = m.getBandOffsets();
        pixelStride = m.getPixelStride();
        lineStride = m.getScanlineStride();
        origin = db.getOffset() + (r.getMinX() - r.getSampleModelTranslateX()) * pixelStride
            + (r.getMinY() - r.getSampleModelTranslateY()) * lineStride;
      } else {
        bytes = null;
        shorts = null;
        bandOffsets = null;
        pixelStride = 0;
        lineStride = 0;
        origin = 0;
      }
    }

    int get(int x, int y, int band) {
      if (bytes != null) return bytes[origin + y * lineStride + x * pixelStride + bandOffsets[band]] & 0xff;
      if (shorts != null) return shorts[origin + y * lineStride + x * pixelStride + bandOffsets[band]] & 0xffff;
      return raster.getSample(raster.getMinX() + x, raster.getMinY() + y, band);
    }
  }

  /** The two JPEG reader providers, looked up once in ImageIO's registry. */
  private static final class Readers {
    static final ImageReaderSpi TWELVE_MONKEYS_JPEG = jpeg(true);
    static final ImageReaderSpi JDK_JPEG = jpeg(false);

    private static ImageReaderSpi jpeg(boolean twelveMonkeys) {
      for (int attempt = 0; attempt < 2; attempt++) {
        Iterator<ImageReaderSpi> it = IIORegistry.getDefaultInstance().getServiceProviders(ImageReaderSpi.class, true);
        while (it.hasNext()) {
          ImageReaderSpi spi = it.next();
          boolean jpeg = java.util.Arrays.asList(spi.getFormatNames()).contains("jpeg");
          boolean tm = spi.getClass().getName().startsWith("com.twelvemonkeys.");
          if (jpeg && tm == twelveMonkeys && (tm || spi.getClass().getName().startsWith("com.sun.imageio."))) return spi;
        }
        // ImageIO registers service providers of the class loader it first ran under; a plugin jar added by another
        // class loader (a Flink user-code jar) is only found after a rescan
        ImageIO.scanForPlugins();
      }
      throw new IllegalStateException(twelveMonkeys
          ? "TwelveMonkeys imageio-jpeg is not on the classpath: CMYK and YCCK JPEGs cannot be read"
          : "the JDK's JPEG reader is not registered with ImageIO");
    }
  }
}
