package org.mapd.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.mapd.Json;
import org.mapd.conf.Plan;

/**
 * A run as its ReproductionWorkflow history tells it: the plan, how the run ended, each evaluated row's
 * numbers and the stage times. Reads the history JSON the SDK writes (and the embedded mode keeps in each run
 * folder), the Web UI downloads ("encoded" or "decoded") and `temporal workflow show --output json` prints
 * (shorthand payloads unless --no-json-shorthand-payloads is given); event types may be spelled
 * EVENT_TYPE_ACTIVITY_TASK_COMPLETED or ActivityTaskCompleted.
 *
 * @param id the run's workflow id
 * @param status completed, incomplete (finished without failed strategies), failed, running, terminated, ...
 * @param rows evaluated row (strategy or reference) -> its numbers, in the order they finished
 * @param stageSeconds wall time per stage (the run's own activities, then each child's stages)
 * @param failed strategy -> why it failed (finished without it, or still failed when the history ends)
 */
public record RunHistory(String id, Plan plan, String status, Map<String, Scores> rows,
    Map<String, Double> stageSeconds, Map<String, String> failed) {

  /** The name of a run's history in its run folder (WORK/runs/RUN-ID/history.json). */
  public static final String FILE = "history.json";

  private static final ObjectReader LENIENT =
      Json.MAPPER.reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * @param json the history as JSON
   * @param fallbackId the id to use when the history does not say it (a run that started no child)
   * @throws IllegalArgumentException when it is not a ReproductionWorkflow history
   */
  public static RunHistory parse(String json, String fallbackId) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    JsonNode events = root.isArray() ? root : root.path("events");
    if (!events.isArray() && root.has("history")) events = root.path("history").path("events");
    if (!events.isArray() || events.isEmpty()) {
      throw new IllegalArgumentException("no \"events\" array: not a workflow history");
    }

    JsonNode started = attributes(events.get(0));
    if (!type(events.get(0)).equals("WORKFLOW_EXECUTION_STARTED")
        || !started.path("workflowType").path("name").asText().equals("ReproductionWorkflow")) {
      throw new IllegalArgumentException("not the history of a ReproductionWorkflow run");
    }
    Plan plan = value(started.path("input").path("payloads").path(0), Plan.class);
    String id = fallbackId;
    String status = "running";
    Map<String, Scores> rows = new LinkedHashMap<>();
    Map<String, Double> seconds = new LinkedHashMap<>();
    Map<String, String> failed = new LinkedHashMap<>();
    Map<Long, JsonNode> scheduled = new HashMap<>();
    for (JsonNode event : events) {
      JsonNode a = attributes(event);
      switch (type(event)) {
        case "ACTIVITY_TASK_SCHEDULED" -> scheduled.put(event.path("eventId").asLong(), event);
        case "ACTIVITY_TASK_COMPLETED" -> {
          JsonNode schedule = scheduled.get(a.path("scheduledEventId").asLong());
          if (schedule == null) break;
          JsonNode result = payload(a.path("result").path("payloads").path(0));
          String activity = attributes(schedule).path("activityType").path("name").asText();
          if (activity.equals("Evaluate")) putScores(rows, result);
          String stage = activity.equals("Evaluate") ? "Evaluate " + result.path("row").asText() : activity;
          seconds.put(stage, Duration.between(time(schedule), time(event)).toMillis() / 1000.0);
        }
        case "START_CHILD_WORKFLOW_EXECUTION_INITIATED" -> {
          String child = a.path("workflowId").asText();
          if (child.contains("/")) id = child.substring(0, child.lastIndexOf('/'));
        }
        case "CHILD_WORKFLOW_EXECUTION_COMPLETED" -> {
          JsonNode result = payload(a.path("result").path("payloads").path(0));
          putScores(rows, result.path("evaluation"));
          result.path("stageSeconds").fields().forEachRemaining(e -> seconds.put(e.getKey(), e.getValue().asDouble()));
          failed.remove(result.path("strategy").asText());
        }
        case "CHILD_WORKFLOW_EXECUTION_FAILED" -> {
          String child = a.path("workflowExecution").path("workflowId").asText();
          failed.put(child.substring(child.lastIndexOf('/') + 1), innermostMessage(a.path("failure")));
        }
        case "WORKFLOW_EXECUTION_COMPLETED" -> {
          JsonNode result = payload(a.path("result").path("payloads").path(0));
          if (result.has("failed") && result.get("failed").isObject()) {
            failed.clear();
            result.get("failed").fields().forEachRemaining(e -> failed.put(e.getKey(), e.getValue().asText()));
          }
          status = failed.isEmpty() ? "completed" : "incomplete";
        }
        case "WORKFLOW_EXECUTION_FAILED", "WORKFLOW_EXECUTION_TERMINATED", "WORKFLOW_EXECUTION_CANCELED",
            "WORKFLOW_EXECUTION_TIMED_OUT", "WORKFLOW_EXECUTION_CONTINUED_AS_NEW" ->
            status = type(event).substring("WORKFLOW_EXECUTION_".length()).toLowerCase(Locale.ROOT);
        default -> { }
      }
    }
    if (id == null) throw new IllegalArgumentException("the history does not say its workflow id");
    return new RunHistory(id, plan, status, rows, seconds, failed);
  }

  private static void putScores(Map<String, Scores> rows, JsonNode evaluation) {
    // Histories recorded before the numbers were added carry paths only.
    if (evaluation.path("scores").isObject()) {
      rows.put(evaluation.path("row").asText(), treeToValue(evaluation.get("scores"), Scores.class));
    }
  }

  /** EVENT_TYPE_ACTIVITY_TASK_COMPLETED and ActivityTaskCompleted both become ACTIVITY_TASK_COMPLETED. */
  static String type(JsonNode event) {
    String t = event.path("eventType").asText();
    if (t.startsWith("EVENT_TYPE_")) return t.substring("EVENT_TYPE_".length());
    return t.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  private static JsonNode attributes(JsonNode event) {
    for (Iterator<Map.Entry<String, JsonNode>> it = event.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().endsWith("EventAttributes")) return field.getValue();
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  private static Instant time(JsonNode event) {
    return Instant.parse(event.path("eventTime").asText());
  }

  /**
   * A payload's JSON value, in any of the three forms: {metadata, data} with base64 metadata and data (the SDK,
   * the UI's "encoded" download, the CLI with --no-json-shorthand-payloads), {metadata, data} with plain
   * metadata and the value as data (the UI's "decoded" download), or the value itself (the CLI's shorthand).
   */
  static JsonNode payload(JsonNode payload) {
    if (!(payload.isObject() && payload.has("metadata") && payload.has("data"))) return payload;
    String raw = payload.path("metadata").path("encoding").asText();
    boolean decoded = raw.equals("json/plain") || raw.equals("binary/null");
    String encoding = decoded ? raw : new String(Base64.getDecoder().decode(raw), StandardCharsets.UTF_8);
    if (encoding.equals("binary/null")) return NullNode.getInstance();
    if (!encoding.equals("json/plain")) {
      throw new IllegalArgumentException("a payload is encoded as " + encoding + ", not json/plain (a codec?)");
    }
    if (decoded) return payload.get("data");
    try {
      return Json.MAPPER.readTree(Base64.getDecoder().decode(payload.get("data").asText()));
    } catch (IOException e) {
      throw new IllegalArgumentException("a json/plain payload is not JSON: " + e.getMessage());
    }
  }

  private static <T> T value(JsonNode payload, Class<T> type) {
    return treeToValue(payload(payload), type);
  }

  private static <T> T treeToValue(JsonNode node, Class<T> type) {
    try {
      return LENIENT.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot read " + type.getSimpleName() + " from the history: "
          + e.getOriginalMessage());
    }
  }

  /** A failure's innermost message: the activity's application failure says what went wrong. */
  private static String innermostMessage(JsonNode failure) {
    String message = failure.path("message").asText();
    for (JsonNode f = failure.path("cause"); f.isObject(); f = f.path("cause")) {
      if (!f.path("message").asText().isBlank()) message = f.path("message").asText();
    }
    return message;
  }
}
