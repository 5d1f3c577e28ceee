package dev.sysmoncep.sink.elasticsearch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A small HTTP proxy on 127.0.0.1 in front of a test node, to stage what a real cluster does now and
 * then: a node that is down (the proxy's port is reserved but nobody listens until {@link #open}),
 * an overloaded node (the first bulk requests get 429 or 503), and a secured one (TLS, and a
 * required Authorization header). Whatever it lets through reaches the real node unchanged.
 */
final class NodeProxy implements AutoCloseable {
    private final URI node;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicInteger bulkFailuresLeft = new AtomicInteger();
    private final AtomicInteger bulkRequestsFailed = new AtomicInteger();
    private final AtomicInteger requestsUnauthorized = new AtomicInteger();
    private volatile int failureStatus;
    private volatile String requiredAuthorization;
    private SSLContext tls;
    private HttpServer server;
    private ExecutorService executor;

    private NodeProxy(URI node, int port) {
        this.node = node;
        this.port = port;
    }

    /** A proxy whose port is chosen now but which refuses connections until it is opened. */
    static NodeProxy inFrontOf(URI node) throws IOException {
        try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new NodeProxy(node, reserved.getLocalPort());
        }
    }

    NodeProxy failingFirstBulkRequests(int count, int status) {
        bulkFailuresLeft.set(count);
        failureStatus = status;
        return this;
    }

    NodeProxy requiringAuthorization(String header) {
        requiredAuthorization = header;
        return this;
    }

    NodeProxy withTls(SSLContext serverContext) {
        tls = serverContext;
        return this;
    }

    NodeProxy open() throws IOException {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        if (tls == null) {
            server = HttpServer.create(address, 50);
        } else {
            HttpsServer https = HttpsServer.create(address, 50);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    String url() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    int bulkRequestsFailed() {
        return bulkRequestsFailed.get();
    }

    int requestsUnauthorized() {
        return requestsUnauthorized.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getRawPath();
            if (requiredAuthorization != null
                    && !requiredAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                requestsUnauthorized.incrementAndGet();
                respond(exchange, 401, "{\"error\":{\"type\":\"security_exception\",\"reason\":\"unable to authenticate\"},\"status\":401}");
                return;
            }
            if (path.startsWith("/_bulk") && bulkFailuresLeft.getAndDecrement() > 0) {
                bulkRequestsFailed.incrementAndGet();
                respond(exchange, failureStatus, "{\"error\":{\"type\":\"es_rejected_execution_exception\","
                        + "\"reason\":\"staged by the test proxy\"},\"status\":" + failureStatus + "}");
                return;
            }
            forward(exchange, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.resolve(exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery())))
                .timeout(Duration.ofSeconds(60))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        response.headers().firstValue("Content-Type")
                .ifPresent(value -> exchange.getResponseHeaders().set("Content-Type", value));
        exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
        exchange.getResponseBody().write(response.body());
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
