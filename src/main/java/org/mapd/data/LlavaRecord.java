package org.mapd.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A record of the LLaVA JSON files (blip_laion_cc_sbu_558k.json, llava_v1_5_mix665k.json, the
 * per-dataset {ds}_dataset.json): {@code {"id", "image", "conversations": [{"from", "value"}]}}.
 * ShareGPT records have no image and a {@code model} field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LlavaRecord(String id, String image, List<Turn> conversations, String model) {
  public LlavaRecord(String id, String image, List<Turn> conversations) {
    this(id, image, conversations, null);
  }
}
