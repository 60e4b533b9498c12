package org.mapd.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RunAttributesTest {
  /** The README's `temporal server start-dev --search-attribute ...` line registers exactly mapd's attributes. */
  @Test
  void readmeStartDevLineRegistersEveryAttributeWithItsType() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Map<String, String> listed = new LinkedHashMap<>();
    Matcher m = Pattern.compile("--search-attribute (\\w+)=(\\w+)").matcher(readme);
    while (m.find()) listed.put(m.group(1), m.group(2));
    Map<String, String> expected = new LinkedHashMap<>();
    RunAttributes.ALL.forEach((name, type) -> expected.put(name, RunAttributes.typeName(type)));
    assertEquals(expected, listed);
  }
}
