package org.mapd.images;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What the structure check learnt about an image file. {@link #read} is the preparation's default image check:
 * it reads the whole file once, sequentially, and refuses what PIL's {@code Image.open(f).convert('RGB')} (the
 * authors' loader) or our decoder would refuse, without decoding pixels. See JpegStructure and PngStructure for
 * what each format's check covers and what it leaves to a full decode.
 */
public sealed interface ImageHeader permits ImageHeader.Jpeg, ImageHeader.Png {
  /**
   * PIL refuses to open images above twice Image.MAX_IMAGE_PIXELS (DecompressionBombError); so do we, which also
   * bounds the memory a decode needs.
   */
  long MAX_PIXELS = 2L * 89_478_485;

  int width();

  int height();

  /** How libjpeg (and so PIL) interprets a JPEG's components. */
  enum JpegColour { GRAY, YCC, RGB, CMYK, YCCK }

  /**
   * @param sof the frame marker (0xC0 baseline, 0xC1 extended, 0xC2 progressive)
   * @param wideTables some quantisation table has 16-bit entries
   */
  record Jpeg(int width, int height, int components, JpegColour colour, int sof, boolean wideTables)
      implements ImageHeader {}

  /** PNG IHDR fields that decide how PIL converts the samples. */
  record Png(int width, int height, int bitDepth, int colourType) implements ImageHeader {}

  /** Checks the file's structure; the exception names the file and says what is wrong. */
  static ImageHeader read(Path file) throws BadImageException {
    if (!Files.isRegularFile(file)) throw new BadImageException(file, "no such file", true, null);
    ByteSource in = null;
    try (InputStream stream = Files.newInputStream(file)) {
      in = new ByteSource(stream);
      int b0 = in.read();
      int b1 = in.read();
      if (b0 == 0xff && b1 == 0xd8 && in.peek() == 0xff) return JpegStructure.check(file, in);
      if (b0 == 0x89 && b1 == 'P') return PngStructure.check(file, in);
      // PIL knows more formats (GIF, BMP, WebP, ...); the authors' data are JPEG and PNG, and so is our decoder.
      throw new BadImageException(file, "neither PNG nor JPEG (by content; the name does not matter)");
    } catch (EOFException e) {
      throw new BadImageException(file, "truncated: the file ends at byte " + in.position()
          + " in the middle of " + (e.getMessage() == null ? "the image" : e.getMessage()), false, e);
    } catch (NoSuchFileException | AccessDeniedException e) {
      throw new BadImageException(file, "cannot open: " + e.getClass().getSimpleName(), true, e);
    } catch (BadImageException e) {
      throw e;
    } catch (IOException e) {
      throw new BadImageException(file, "cannot read: " + e.getMessage(), true, e);
    }
  }

  /** The PIL pixel limit, shared by both formats. */
  static void checkPixels(Path file, long width, long height) throws BadImageException {
    if (width * height > MAX_PIXELS) {
      throw new BadImageException(file, width + "x" + height + " is more than " + MAX_PIXELS
          + " pixels: PIL refuses it (DecompressionBombError)");
    }
  }
}
