package dev.sysmoncep.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The test's own look at a node, over plain REST, to check what the sink wrote. */
public final class NodeRest {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    NodeRest(URI url) {
        this.url = url;
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    JsonNode put(String path, Object body) throws IOException, InterruptedException {
        return send("PUT", path, body);
    }

    public JsonNode post(String path, Object body) throws IOException, InterruptedException {
        return send("POST", path, body);
    }

    /** Deletes indices, also when there is none to delete. */
    void deleteIndices(String pattern) throws IOException, InterruptedException {
        send("DELETE", "/" + pattern + "?ignore_unavailable=true&allow_no_indices=true", null);
    }

    /** Makes everything written so far searchable. */
    public void refresh(String pattern) throws IOException, InterruptedException {
        post("/" + pattern + "/_refresh?ignore_unavailable=true&allow_no_indices=true", null);
    }

    private JsonNode send(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(60));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            byte[] bytes = body instanceof String ? ((String) body).getBytes(java.nio.charset.StandardCharsets.UTF_8) : JSON.writeValueAsBytes(body);
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
