package dev.sysmoncep.sink.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where the cluster is and how to log in: the nodes' URLs, basic or API-key credentials, and the CA
 * certificate to trust for HTTPS. This is what travels with the job; {@link #open()} turns it into a
 * live client on the task manager, reading secrets from the environment or files only there.
 */
final class ElasticsearchConnection implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> urls;
    private final String username;
    private final Secret password;
    private final Secret apiKey;
    private final String caCertificate;
    private final Duration requestTimeout;

    ElasticsearchConnection(List<String> urls, String username, Secret password, Secret apiKey,
            Path caCertificate, Duration requestTimeout) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("Give at least one Elasticsearch URL");
        }
        for (String url : urls) {
            URI uri = URI.create(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("Not an http(s) URL of a node: " + url);
            }
            if (uri.getUserInfo() != null) {
                throw new IllegalArgumentException("Put credentials in basicAuth(...), not in the URL");
            }
        }
        if (password != null && apiKey != null) {
            throw new IllegalArgumentException("Use basic auth or an API key, not both");
        }
        this.urls = List.copyOf(urls.stream().map(url -> url.replaceAll("/+$", "")).toList());
        this.username = username;
        this.password = password;
        this.apiKey = apiKey;
        this.caCertificate = caCertificate == null ? null : caCertificate.toString();
        this.requestTimeout = requestTimeout;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    /** Reads the secrets and the CA certificate and builds the HTTP client. */
    Client open() throws IOException {
        HttpClient.Builder http = HttpClient.newBuilder()
                // Elasticsearch speaks HTTP/1.1; asking for h2c would only add an Upgrade header.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(requestTimeout.compareTo(Duration.ofSeconds(10)) < 0
                        ? requestTimeout : Duration.ofSeconds(10));
        if (caCertificate != null) {
            http.sslContext(trusting(Path.of(caCertificate)));
        }
        return new Client(http.build(), urls, authorization(), requestTimeout);
    }

    private String authorization() throws IOException {
        if (password != null) {
            String credentials = username + ":" + password.reveal();
            return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        }
        if (apiKey != null) {
            String key = apiKey.reveal();
            // The create-API-key response gives both "id" and "api_key" and their base64 "encoded" form.
            return "ApiKey " + (key.indexOf(':') < 0
                    ? key : Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)));
        }
        return null;
    }

    /** An SSL context that trusts the certificates in a PEM file, and nothing else. */
    private static SSLContext trusting(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new IOException("No certificate in " + pem);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot use the CA certificate in " + pem + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ElasticsearchConnection{urls=" + urls
                + (password != null ? ", basicAuth=" + username + "/" + password : "")
                + (apiKey != null ? ", apiKey=" + apiKey : "")
                + (caCertificate != null ? ", caCertificate=" + caCertificate : "")
                + ", requestTimeout=" + requestTimeout + "}";
    }

    /** The live client: one HTTP client for the writer, trying the nodes in turn from one attempt to the next. */
    static final class Client {
        private final HttpClient http;
        private final List<String> urls;
        private final String authorization;
        private final Duration requestTimeout;

        private Client(HttpClient http, List<String> urls, String authorization, Duration requestTimeout) {
            this.http = http;
            this.urls = urls;
            this.authorization = authorization;
            this.requestTimeout = requestTimeout;
        }

        /** Sends a request to the node for this attempt: a node that is down is not asked twice in a row. */
        CompletableFuture<HttpResponse<String>> send(String method, String pathAndQuery, String contentType,
                byte[] body, int attempt) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(urls.get(attempt % urls.size()) + pathAndQuery))
                    .timeout(requestTimeout)
                    .header("Content-Type", contentType)
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }
}
