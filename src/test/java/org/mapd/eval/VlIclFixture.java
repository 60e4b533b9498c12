package org.mapd.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.mapd.Json;

/** A small VL-ICL folder in the real schemas (method.md §6), with optional tiny PNG images. */
public final class VlIclFixture {
  static final String[] OPEN_MI_CLASSES = {"dax", "blicket", "wug"};

  private VlIclFixture() {}

  /** operator_induction, clevr, open_mi and textocr, {@code queries} queries each. */
  public static void write(Path root, int queries, boolean images) throws IOException {
    Random rng = new Random(5);
    ArrayNode opSupport = Json.MAPPER.createArrayNode();
    for (int i = 0; i < 12; i++) {
      int a = i % 10;
      int b = (i * 7 + 3) % 10;
      ObjectNode s = opSupport.addObject().put("id", "s" + i).put("question", "What is the result of the following mathematical expression?");
      s.putArray("image").add("operator_induction/support/" + a + "_" + b + "_" + i + ".png");
      s.putArray("answer").add(a + b).add(a - b).add(a * b);
    }
    ArrayNode opQuery = Json.MAPPER.createArrayNode();
    String[] ops = {"+", "-", "x"};
    for (int i = 0; i < queries; i++) {
      int a = i % 4;
      int b = 5 + i % 3;
      String op = ops[i % 3];
      int answer = op.equals("+") ? a + b : op.equals("-") ? a - b : a * b;
      ObjectNode q = opQuery.addObject().put("id", "q" + i).put("question", "What is the result of the following mathematical expression?")
          .put("operator", op).put("answer", answer);
      q.putArray("image").add("operator_induction/query/" + i + ".png");
    }
    writeTask(root, "operator_induction", opSupport, opQuery);

    ArrayNode clevrSupport = Json.MAPPER.createArrayNode();
    String[] attrs = {"size: small", "material: metal", "shape: cube", "color: red"};
    for (int i = 0; i < 10; i++) {
      ObjectNode s = clevrSupport.addObject().put("id", "c" + i).put("question", attrs[i % 4]).put("answer", i % 5);
      s.putArray("image").add("clevr/support/" + i + ".png");
    }
    ArrayNode clevrQuery = Json.MAPPER.createArrayNode();
    for (int i = 0; i < queries; i++) {
      ObjectNode q = clevrQuery.addObject().put("id", "cq" + i).put("question", attrs[(i + 1) % 4]).put("answer", i % 3);
      q.putArray("image").add("clevr/query/" + i + ".png");
    }
    writeTask(root, "clevr", clevrSupport, clevrQuery);

    ArrayNode miQuery = Json.MAPPER.createArrayNode();
    for (int i = 0; i < queries; i++) {
      String own = OPEN_MI_CLASSES[i % 3];
      ObjectNode q = miQuery.addObject().put("id", "m" + i).put("question", "This is a").put("answer", own);
      q.putArray("image").add("open_mi/query/" + i + ".png");
      ArrayNode classes = q.putArray("classes");
      ObjectNode support = q.putObject("support");
      for (String c : OPEN_MI_CLASSES) {
        classes.add(c);
        ObjectNode perClass = support.putObject(c);
        perClass.put("caption", c);
        ArrayNode imgs = perClass.putArray("images");
        for (int k = 0; k < 5; k++) imgs.add("open_mi/support/" + i + "_" + c + "_" + k + ".png");
      }
    }
    writeTask(root, "open_mi", null, miQuery);

    ArrayNode ocrSupport = Json.MAPPER.createArrayNode();
    for (int i = 0; i < 8; i++) {
      ObjectNode s = ocrSupport.addObject().put("id", "t" + i).put("question", "What text is shown in the red box?").put("answer", "word" + i);
      s.putArray("image").add("textocr/support/" + i + ".png");
    }
    ArrayNode ocrQuery = Json.MAPPER.createArrayNode();
    for (int i = 0; i < queries; i++) {
      ObjectNode q = ocrQuery.addObject().put("id", "tq" + i).put("question", "What text is shown in the red box?").put("answer", "Word" + i);
      q.putArray("image").add("textocr/query/" + i + ".png");
    }
    writeTask(root, "textocr", ocrSupport, ocrQuery);

    if (images) writeImages(root, rng, opSupport, opQuery, clevrSupport, clevrQuery, miQuery, ocrSupport, ocrQuery);
  }

  private static void writeTask(Path root, String task, ArrayNode support, ArrayNode query) throws IOException {
    Files.createDirectories(root.resolve(task));
    if (support != null) Files.writeString(root.resolve(task).resolve("support.json"), Json.write(support));
    Files.writeString(root.resolve(task).resolve("query.json"), Json.write(query));
  }

  private static void writeImages(Path root, Random rng, ArrayNode... files) throws IOException {
    for (ArrayNode file : files) {
      for (var record : file) {
        for (var p : record.get("image")) png(root.resolve(p.asText()), rng);
        if (record.has("support")) {
          for (var perClass : record.get("support")) for (var p : perClass.get("images")) png(root.resolve(p.asText()), rng);
        }
      }
    }
  }

  private static void png(Path file, Random rng) throws IOException {
    Files.createDirectories(file.getParent());
    BufferedImage img = new BufferedImage(20, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) for (int x = 0; x < 20; x++) img.setRGB(x, y, rng.nextInt(0x1000000));
    ImageIO.write(img, "png", file.toFile());
  }
}
