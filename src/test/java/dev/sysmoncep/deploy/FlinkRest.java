package dev.sysmoncep.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** The parts of Flink's REST API that flink run and the web UI use to submit and follow a job jar. */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRest(URI base) {
        this.base = base;
    }

    /**
     * Slots of registered TaskManagers; 0 while the JobManager's REST endpoint is not listening yet,
     * or answers 503 because its leader election is still going on.
     */
    int registeredSlots() throws IOException, InterruptedException {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(base.resolve("/overview")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException notListeningYet) {
            return 0;
        }
        if (response.statusCode() == 503) {
            return 0;
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET /overview answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("slots-total").asInt();
    }

    /** POST /jars/upload, as the web UI does; returns the jar's id. */
    String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "sysmon-cep-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(jar));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode answer = send(HttpRequest.newBuilder(base.resolve("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        String stored = answer.path("filename").asText();
        return stored.substring(stored.lastIndexOf('/') + 1);
    }

    /**
     * POST /jars/:id/run: the JobManager runs the jar's main class (from its manifest) with these
     * arguments, and returns the id of the job it submitted.
     */
    String runJar(String jarId, List<String> programArgs, int parallelism) throws IOException, InterruptedException {
        return runJar(jarId, programArgs, parallelism, JSON.createObjectNode());
    }

    /**
     * As {@link #runJar(String, List, int)}, with Flink options for this job only, as
     * {@code flink run -D key=value} gives them.
     */
    String runJar(String jarId, List<String> programArgs, int parallelism, Map<String, String> jobConfiguration)
            throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        request.set("flinkConfiguration", JSON.valueToTree(jobConfiguration));
        return runJar(jarId, programArgs, parallelism, request);
    }

    /** As {@link #runJar(String, List, int)}, the job's state restored from a savepoint (flink run -s). */
    String runJarFromSavepoint(String jarId, List<String> programArgs, int parallelism, String savepoint)
            throws IOException, InterruptedException {
        ObjectNode restore = JSON.createObjectNode();
        restore.put("savepointPath", savepoint);
        restore.put("allowNonRestoredState", false);
        return runJar(jarId, programArgs, parallelism, restore);
    }

    private String runJar(String jarId, List<String> programArgs, int parallelism, ObjectNode request)
            throws IOException, InterruptedException {
        request.set("programArgsList", JSON.valueToTree(programArgs));
        request.put("parallelism", parallelism);
        return send(HttpRequest.newBuilder(base.resolve("/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString())))
                .path("jobid").asText();
    }

    /** POST /jobs/:id/stop, as flink stop --savepointPath does; returns the request's id to follow. */
    String stopWithSavepoint(String jobId, String targetDirectory) throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        request.put("targetDirectory", targetDirectory);
        request.put("drain", false);
        return send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString())))
                .path("request-id").asText();
    }

    /** The savepoint's location once it is complete, null while it is in progress. */
    String savepointLocation(String jobId, String requestId) throws IOException, InterruptedException {
        JsonNode answer = get("/jobs/" + jobId + "/savepoints/" + requestId);
        if (!answer.at("/status/id").asText().equals("COMPLETED")) {
            return null;
        }
        JsonNode failure = answer.at("/operation/failure-cause");
        if (!failure.isMissingNode()) {
            throw new IOException("Savepoint of job " + jobId + " failed: " + failure);
        }
        return answer.at("/operation/location").asText();
    }

    String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** The id of the checkpoint the job last restored from after a failure, 0 while it has restored none. */
    long restoredCheckpoint(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints").at("/latest/restored/id").asLong(0);
    }

    /** The id of the job's latest completed checkpoint, 0 while there is none. */
    long latestCheckpoint(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints").at("/latest/completed/id").asLong(0);
    }

    /** The failures the job went through, oldest last, each as its stack trace. */
    List<String> failures(String jobId) throws IOException, InterruptedException {
        List<String> failures = new ArrayList<>();
        get("/jobs/" + jobId + "/exceptions").at("/exceptionHistory/entries")
                .forEach(e -> failures.add(e.path("stacktrace").asText()));
        return failures;
    }

    /** PATCH /jobs/:id?mode=cancel, as flink cancel does. */
    void cancel(String jobId) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(base.resolve("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }

    /** The root exception of a failed job, for a failure message. */
    String rootException(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/exceptions").path("root-exception").asText();
    }

    /** The job's counters (Flink accumulators) by name. */
    Map<String, Long> counters(String jobId) throws IOException, InterruptedException {
        Map<String, Long> counters = new TreeMap<>();
        for (JsonNode a : get("/jobs/" + jobId + "/accumulators").path("user-task-accumulators")) {
            if (a.path("type").asText().endsWith("LongCounter")) {
                counters.put(a.path("name").asText(), Long.parseLong(a.path("value").asText()));
            }
        }
        return counters;
    }

    /**
     * The job's metrics whose names are given, each summed over every operator and subtask that has
     * it, as the web UI shows them: operator metrics are named {@code <operator>.<metric>}, and a dot
     * within a metric's name shows as an underscore ({@code alerts_<rule id>}).
     */
    Map<String, Long> metrics(String jobId, List<String> names) throws IOException, InterruptedException {
        Map<String, Long> sums = new TreeMap<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            List<String> ids = new java.util.ArrayList<>();
            for (JsonNode metric : get(path)) {
                String id = metric.path("id").asText();
                if (names.stream().anyMatch(n -> id.endsWith("." + n.replace('.', '_')))) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            String query = java.net.URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
            for (JsonNode metric : get(path + "?agg=sum&get=" + query)) {
                String id = metric.path("id").asText();
                String name = names.stream().filter(n -> id.endsWith("." + n.replace('.', '_'))).findFirst().orElseThrow();
                sums.merge(name, (long) metric.path("sum").asDouble(), Long::sum);
            }
        }
        return sums;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest r = request.timeout(Duration.ofSeconds(60)).build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(r.method() + " " + r.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
