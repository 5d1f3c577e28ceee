package dev.sysmoncep.sink.elasticsearch;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real search node in its own JVM, for one test class: started before its tests, stopped after
 * them whatever they did. The node's launcher (src/test/servers) lives while its standard input is
 * open, so it also goes away if this JVM dies without running {@link #afterAll}.
 *
 * <p>The launchers and their class paths are built by maven-invoker-plugin into
 * {@code target/test-nodes} before the integration tests ({@code mvn verify}).
 */
public final class SearchNode implements BeforeAllCallback, AfterAllCallback {

    public enum Kind {
        OPENSEARCH_2("opensearch", "dev.sysmoncep.testnode.OpenSearchTestNode", false),
        /** Built for Java 21: runs on the JDK that {@code sysmoncep.java21Home} names. */
        OPENSEARCH_3("opensearch3", "dev.sysmoncep.testnode.OpenSearchTestNode", true),
        ELASTICSEARCH_7("elasticsearch7", "dev.sysmoncep.testnode.Elasticsearch7TestNode", false);

        final String project;
        final String launcher;
        final boolean needsJava21;

        Kind(String project, String launcher, boolean needsJava21) {
            this.project = project;
            this.launcher = launcher;
            this.needsJava21 = needsJava21;
        }

        Path java() {
            Path home = Path.of(needsJava21 ? System.getProperty("sysmoncep.java21Home", "/usr/lib/jvm/temurin-25-jdk-amd64")
                    : System.getProperty("java.home"));
            Path java = home.resolve("bin/java");
            if (!Files.isExecutable(java)) {
                throw new IllegalStateException(this + " needs Java 21 or later, and " + java + " is not there: install one "
                        + "and name its home with -Dsysmoncep.java21Home=DIR");
            }
            return java;
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Path NODES = Path.of(System.getProperty("sysmoncep.testNodes", "target/test-nodes"));

    private final Kind kind;
    private final String clusterName;
    private Process process;
    private URI url;
    private NodeRest rest;

    public SearchNode(Kind kind, String clusterName) {
        this.kind = kind;
        this.clusterName = clusterName;
    }

    public URI url() {
        return url;
    }

    public NodeRest rest() {
        return rest;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path project = NODES.resolve(kind.project);
        Path classpathFile = project.resolve("target/classpath.txt");
        if (!Files.exists(classpathFile)) {
            throw new IllegalStateException(classpathFile + " is missing: run the tests with mvn verify, which "
                    + "builds the test nodes (maven-invoker-plugin) before the integration tests");
        }
        String classpath = project.resolve("target/classes") + File.pathSeparator
                + Files.readString(classpathFile).trim();
        Path home = Files.createTempDirectory(clusterName);
        Path log = NODES.resolve(clusterName + ".log");
        Path java = kind.java();

        long started = System.nanoTime();
        process = new ProcessBuilder(java.toString(), "-Xms512m", "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, kind.launcher, clusterName, home.toString())
                .redirectErrorStream(true)
                .start();
        CompletableFuture<URI> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> copyOutput(log, ready), clusterName + "-output");
        pump.setDaemon(true);
        pump.start();
        try {
            url = ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            stop();
            throw new IllegalStateException(kind + " did not start; see " + log.toAbsolutePath(), e);
        }
        rest = new NodeRest(url);
        System.out.printf("%s %s started in %d ms at %s%n", kind, clusterName,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), url);
    }

    /** Copies the node's output to its log file, and reports the URL it prints when it is ready. */
    private void copyOutput(Path log, CompletableFuture<URI> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                int at = line.indexOf("READY http://");
                if (at >= 0) {
                    ready.complete(URI.create(line.substring(at + "READY ".length()).trim()));
                }
            }
            ready.completeExceptionally(new IOException("the node exited with " + process.waitFor()));
        } catch (IOException | InterruptedException e) {
            ready.completeExceptionally(e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    private void stop() throws IOException, InterruptedException {
        if (process == null) {
            return;
        }
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }
}
