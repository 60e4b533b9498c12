package org.mapd.cli;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SDK's test service behind a real gRPC port on the loopback address only (the SDK's own port-bound test
 * server listens on every interface), with TLS that requires a client certificate, and a record of the
 * request headers it saw: enough to run mapd's remote code paths end to end without a Temporal server.
 */
final class LoopbackTemporal implements AutoCloseable {
  static final Path TLS = Path.of("src/test/resources/tls");

  private final TestServicesStarter services = new TestServicesStarter(true, 0);
  private final Server server;
  /** Header name -> the last value seen. */
  final Map<String, String> headers = new ConcurrentHashMap<>();

  LoopbackTemporal() throws IOException {
    ServerInterceptor recorder = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata metadata,
          ServerCallHandler<Q, R> next) {
        for (String key : metadata.keys()) {
          if (!key.endsWith("-bin")) headers.put(key, metadata.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)));
        }
        return next.startCall(call, metadata);
      }
    };
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .sslContext(GrpcSslContexts.forServer(TLS.resolve("server.pem").toFile(), TLS.resolve("server.key").toFile())
            .trustManager(TLS.resolve("client.pem").toFile())
            .clientAuth(ClientAuth.REQUIRE)
            .build());
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder, List.of(recorder));
    server = builder.build().start();
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  /** The options of a client with mutual TLS (the server's certificate is its own CA). */
  List<String> tlsOptions() {
    return List.of("--temporal", address(), "--tls-ca", TLS.resolve("server.pem").toString(), "--tls-cert",
        TLS.resolve("client.pem").toString(), "--tls-key", TLS.resolve("client.key").toString(), "--tls-server-name",
        "localhost");
  }

  @Override
  public void close() {
    server.shutdownNow();
    services.close();
  }
}
