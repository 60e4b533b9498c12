package org.mapd.cli;

import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.ServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * How mapd reaches a Temporal server, the same for worker, reproduce, resume, compare and temporal setup:
 * address, namespace, TLS or mutual TLS from PEM files, and an API key taken from the environment only
 * ({@value #API_KEY_ENV}, as the temporal CLI reads it): never an option, never in the plan or in any
 * payload, so it stays out of shell histories and workflow histories. It goes into each request's
 * authorization header.
 */
final class Connection {
  static final String API_KEY_ENV = "TEMPORAL_API_KEY";

  @Option(names = "--temporal", paramLabel = "HOST:PORT",
      description = "Temporal server gRPC address, e.g. localhost:7233 of `temporal server start-dev`, or "
          + "NAMESPACE.ACCOUNT.tmprl.cloud:7233.")
  String address;

  @Option(names = "--namespace", defaultValue = "default", paramLabel = "NS",
      description = "Temporal namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--tls", description = "Connect with TLS, trusting the system's CAs (implied by the other --tls "
      + "options and by an API key in " + API_KEY_ENV + ").")
  boolean tls;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "Client certificate for mutual TLS (with --tls-key).")
  Path cert;

  @Option(names = "--tls-key", paramLabel = "PEM",
      description = "Client private key, PKCS#8, for mutual TLS (with --tls-cert).")
  Path key;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = "CA certificate(s) to trust instead of the system's.")
  Path ca;

  @Option(names = "--tls-server-name", paramLabel = "NAME",
      description = "Server name to verify in its certificate, when it differs from the --temporal host.")
  String serverName;

  /** Reads the environment; tests put their own in its place. */
  static Function<String, String> environment = System::getenv;

  boolean remote() {
    return address != null;
  }

  /** Fails with the option to add when a command needs a server. */
  void require(String command) {
    if (!remote()) throw new IllegalArgumentException(command + " needs --temporal HOST:PORT");
  }

  /** Target, TLS and API key on either kind of service stub options. */
  <B extends ServiceStubsOptions.Builder<B>> B configure(B builder) {
    builder.setTarget(address);
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together (mutual TLS)");
    }
    String apiKey = environment.apply(API_KEY_ENV);
    boolean hasKey = apiKey != null && !apiKey.isBlank();
    if (hasKey) {
      builder.addApiKey(apiKey::strip);
      // Temporal Cloud routes requests authenticated by an API key by this header.
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("temporal-namespace", Metadata.ASCII_STRING_MARSHALLER), namespace);
      builder.setHeaders(headers);
    }
    if (cert != null || ca != null) {
      builder.setSslContext(sslContext());
    } else if (tls || hasKey) {
      builder.setEnableHttps(true);
    }
    if (serverName != null) builder.setChannelInitializer(channel -> channel.overrideAuthority(serverName));
    return builder;
  }

  private SslContext sslContext() {
    try {
      SslContextBuilder ssl = GrpcSslContexts.forClient();
      if (ca != null) ssl.trustManager(existing(ca, "--tls-ca").toFile());
      if (cert != null) ssl.keyManager(existing(cert, "--tls-cert").toFile(), existing(key, "--tls-key").toFile());
      return ssl.build();
    } catch (IOException e) {
      throw new IllegalArgumentException("TLS: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("TLS: cannot read the PEM files (" + e.getMessage() + ")", e);
    }
  }

  private static Path existing(Path file, String option) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(option + ": " + file + " does not exist");
    return file;
  }

  /** A client of the namespace; close it to close the connection. */
  Connected open() {
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        configure(WorkflowServiceStubsOptions.newBuilder()).build());
    return new Connected(service, WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(namespace).build()));
  }

  /** The operator service of the same server (search attribute registration). */
  OperatorServiceStubs operator() {
    return OperatorServiceStubs.newServiceStubs(configure(OperatorServiceStubsOptions.newBuilder())
        .validateAndBuildWithDefaults());
  }

  /** An open connection. */
  record Connected(WorkflowServiceStubs service, WorkflowClient client) implements AutoCloseable {
    @Override
    public void close() {
      service.shutdown();
    }
  }
}
