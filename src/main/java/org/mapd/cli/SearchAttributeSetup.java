package org.mapd.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mapd.workflows.RunAttributes;

/**
 * mapd's search attributes on a server: registering them (`mapd temporal setup`) and checking, before a worker
 * starts, that its namespace has them. A workflow that sets an unknown attribute fails its workflow task again
 * and again, so the check turns that into one line saying what to run.
 */
final class SearchAttributeSetup {
  private SearchAttributeSetup() {}

  /**
   * Registers each attribute the namespace lacks, one at a time, so that one already registered (with the
   * right type) is fine.
   *
   * @return one line per attribute saying what was done
   */
  static List<String> register(OperatorServiceStubs operator, String namespace) {
    Optional<Map<String, IndexedValueType>> existing = list(operator, namespace);
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, IndexedValueType> a : RunAttributes.ALL.entrySet()) {
      String name = a.getKey();
      String type = RunAttributes.typeName(a.getValue());
      IndexedValueType has = existing.map(m -> m.get(name)).orElse(null);
      if (has != null) {
        if (has != a.getValue()) {
          throw new IllegalArgumentException(name + " is registered in namespace " + namespace + " as "
              + RunAttributes.typeName(has) + ", mapd needs " + type + ": remove it or use another namespace");
        }
        lines.add(name + " (" + type + "): already registered");
        continue;
      }
      try {
        operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder().setNamespace(namespace)
            .putSearchAttributes(name, a.getValue()).build());
        lines.add(name + " (" + type + "): registered");
      } catch (StatusRuntimeException e) {
        // Servers that cannot list say so when adding: ALREADY_EXISTS, or INVALID_ARGUMENT "... already exists".
        String why = String.valueOf(e.getStatus().getDescription());
        if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS || why.contains("already")) {
          lines.add(name + " (" + type + "): already registered");
        } else {
          throw e;
        }
      }
    }
    return lines;
  }

  /** The attributes the namespace lacks; empty when the server does not list them (the SDK's test server). */
  static List<String> missing(OperatorServiceStubs operator, String namespace) {
    Optional<Map<String, IndexedValueType>> existing = list(operator, namespace);
    if (existing.isEmpty()) return List.of();
    return RunAttributes.ALL.keySet().stream().filter(n -> !existing.get().containsKey(n)).toList();
  }

  /** Registered custom attributes, or empty when the server does not implement or allow the listing. */
  private static Optional<Map<String, IndexedValueType>> list(OperatorServiceStubs operator, String namespace) {
    try {
      return Optional.of(operator.blockingStub().listSearchAttributes(
          ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build()).getCustomAttributesMap());
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.UNIMPLEMENTED || code == Status.Code.PERMISSION_DENIED) return Optional.empty();
      throw e;
    }
  }
}
