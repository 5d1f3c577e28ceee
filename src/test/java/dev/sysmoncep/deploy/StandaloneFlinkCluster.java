package dev.sysmoncep.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * A standalone Flink session cluster on 127.0.0.1 as Flink's own scripts start one: a JobManager
 * and a TaskManager, each a JVM of its own from the flink-runtime entrypoints, with the memory
 * flags Flink's BashJavaUtils computes from the configuration, as jobmanager.sh and taskmanager.sh
 * do. The class path is the jars a Flink distribution provides (target/classpath.txt): no
 * sysmon-cep class and no CEP or connector jar, so a job runs only from what its job jar carries.
 */
final class StandaloneFlinkCluster implements AutoCloseable {
    private static final String EXEC_RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final Path workDir;
    /** The running processes by name (jobmanager, taskmanager, taskmanager-2, ...), in start order. */
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final FlinkRest rest;
    private Duration startTime;
    /** How to start a TaskManager again, as taskmanager.sh would on another machine. */
    private Runnable taskManagerLauncher;
    private int taskManagersStarted;

    private StandaloneFlinkCluster(Path workDir, FlinkRest rest) {
        this.workDir = workDir;
        this.rest = rest;
    }

    /**
     * Starts the cluster with configDir's config.yaml, where {@code overrides} win (as -D options
     * do), plus free ports and directories under workDir, and returns once the TaskManager's slots
     * are registered.
     */
    static StandaloneFlinkCluster start(Path configDir, Map<String, String> overrides, Path workDir, Duration timeout)
            throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(workDir);
        String classpath = Files.readString(Path.of(requiredProperty("sysmoncep.flinkClasspath"))).trim();
        int restPort = freePort();

        Map<String, String> dynamic = new LinkedHashMap<>(overrides);
        dynamic.put("rest.port", Integer.toString(restPort));
        dynamic.put("jobmanager.rpc.port", Integer.toString(freePort()));
        dynamic.put("io.tmp.dirs", workDir.resolve("tmp").toString());
        dynamic.put("web.tmpdir", workDir.resolve("web").toString());
        List<String> dynamicArgs = new ArrayList<>();
        dynamic.forEach((k, v) -> dynamicArgs.addAll(List.of("-D", k + "=" + v)));

        CompletableFuture<List<List<String>>> jmParams = CompletableFuture.supplyAsync(
                () -> resourceParams(classpath, "GET_JM_RESOURCE_PARAMS", configDir, dynamicArgs, workDir));
        CompletableFuture<List<List<String>>> tmParams = CompletableFuture.supplyAsync(
                () -> resourceParams(classpath, "GET_TM_RESOURCE_PARAMS", configDir, dynamicArgs, workDir));

        Configuration config = GlobalConfiguration.loadConfiguration(configDir.toString(), Configuration.fromMap(dynamic));
        StandaloneFlinkCluster cluster =
                new StandaloneFlinkCluster(workDir, new FlinkRest(URI.create("http://127.0.0.1:" + restPort)));
        try {
            cluster.launch("jobmanager", classpath, jvmOptions(config, CoreOptions.FLINK_DEFAULT_JM_JVM_OPTIONS,
                            CoreOptions.FLINK_JM_JVM_OPTIONS), jmParams.get(), configDir, dynamicArgs,
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
            List<String> tmJvmOptions = jvmOptions(config, CoreOptions.FLINK_DEFAULT_TM_JVM_OPTIONS,
                    CoreOptions.FLINK_TM_JVM_OPTIONS);
            List<List<String>> tmResources = tmParams.get();
            cluster.taskManagerLauncher = () -> {
                cluster.taskManagersStarted++;
                String name = cluster.taskManagersStarted == 1 ? "taskmanager" : "taskmanager-" + cluster.taskManagersStarted;
                try {
                    cluster.launch(name, classpath, tmJvmOptions, tmResources, configDir, dynamicArgs,
                            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            cluster.taskManagerLauncher.run();
            Poll.until("a TaskManager slot registered", timeout, () -> {
                cluster.checkAlive();
                return cluster.rest.registeredSlots() > 0;
            }, cluster::logTails);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        cluster.startTime = Duration.ofNanos(System.nanoTime() - started);
        return cluster;
    }

    FlinkRest rest() {
        return rest;
    }

    /** From the first command to the TaskManager's slots being registered. */
    Duration startTime() {
        return startTime;
    }

    Path log(String process) {
        return workDir.resolve(process + ".log");
    }

    /** The ends of every process's log and output, for a failure message. */
    String logTails() {
        StringBuilder s = new StringBuilder();
        List<String> names = new ArrayList<>(List.of("jobmanager", "taskmanager"));
        for (int i = 2; i <= taskManagersStarted; i++) {
            names.add("taskmanager-" + i);
        }
        for (String name : names.stream().flatMap(n -> Stream.of(n + ".log", n + ".out")).toList()) {
            Path file = workDir.resolve(name);
            if (Files.exists(file)) {
                try {
                    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                    s.append("\n==> ").append(file).append(" <==\n");
                    lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> s.append(l).append('\n'));
                } catch (IOException e) {
                    s.append("\n(cannot read ").append(file).append(": ").append(e.getMessage()).append(")\n");
                }
            }
        }
        return s.toString();
    }

    /** BashJavaUtils' two results: the JVM's memory flags, then the -D options that pin the memory sizes. */
    private static List<List<String>> resourceParams(String classpath, String command, Path configDir,
            List<String> dynamicArgs, Path workDir) {
        try {
            List<String> cmd = new ArrayList<>(List.of(java(), "-cp", classpath,
                    "org.apache.flink.runtime.util.bash.BashJavaUtils", command, "--configDir", configDir.toString()));
            cmd.addAll(dynamicArgs);
            Path output = workDir.resolve(command.toLowerCase() + ".out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("BashJavaUtils " + command + " did not finish; see " + output);
            }
            List<List<String>> results = Files.readAllLines(output).stream()
                    .filter(l -> l.startsWith(EXEC_RESULT))
                    .map(l -> Arrays.stream(l.substring(EXEC_RESULT.length()).trim().split("\\s+"))
                            .filter(t -> !t.isEmpty()).toList())
                    .toList();
            if (p.exitValue() != 0 || results.size() != 2) {
                throw new IllegalStateException("BashJavaUtils " + command + " failed (exit " + p.exitValue()
                        + "): " + Files.readString(output));
            }
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The env.java.*opts* of the configuration, in the order Flink's config.sh puts them on the command line. */
    private static List<String> jvmOptions(Configuration config, ConfigOption<String> roleDefaults, ConfigOption<String> role) {
        List<String> options = new ArrayList<>();
        for (ConfigOption<String> o : List.of(CoreOptions.FLINK_DEFAULT_JVM_OPTIONS, CoreOptions.FLINK_JVM_OPTIONS,
                roleDefaults, role)) {
            String value = config.get(o);
            if (value != null && !value.isBlank()) {
                options.addAll(Arrays.asList(value.trim().split("\\s+")));
            }
        }
        return options;
    }

    private void launch(String name, String classpath, List<String> jvmOptions, List<List<String>> resourceParams,
            Path configDir, List<String> dynamicArgs, String entrypoint) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions);
        cmd.addAll(resourceParams.get(0));
        cmd.add("-Dlog.file=" + log(name));
        cmd.add("-Dlog4j.configurationFile=" + StandaloneFlinkCluster.class.getResource("/flink-cluster-log4j.properties"));
        cmd.addAll(List.of("-cp", classpath, entrypoint, "--configDir", configDir.toString()));
        cmd.addAll(dynamicArgs);
        cmd.addAll(resourceParams.get(1));
        processes.put(name, new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve(name + ".out").toFile())
                .start());
    }

    /**
     * Kills every TaskManager process at once, as a machine failure or the OOM killer would: no
     * shutdown hook runs, nothing is flushed, closed or aborted.
     */
    void killTaskManagers() throws Exception {
        List<String> taskManagers = processes.keySet().stream().filter(n -> n.startsWith("taskmanager")).toList();
        for (String name : taskManagers) {
            processes.remove(name).destroyForcibly().onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Starts one more TaskManager process, with the same configuration as the first. */
    void startTaskManager() {
        taskManagerLauncher.run();
    }

    /** Fails at once when the JobManager or a TaskManager has died, rather than at a deadline. */
    void checkAlive() {
        processes.forEach((name, p) -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("The Flink " + name + " process exited with " + p.exitValue() + logTails());
            }
        });
    }

    /** Stops the TaskManagers, then the JobManager: politely first (their shutdown hooks run), then by force. */
    @Override
    public void close() throws Exception {
        List<Process> inStartOrder = new ArrayList<>(processes.values());
        for (int i = inStartOrder.size() - 1; i >= 0; i--) {
            Process p = inStartOrder.get(i);
            p.destroy();
            try {
                p.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                p.destroyForcibly().onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        processes.clear();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("System property " + name + " is not set: run the test with mvn verify");
        }
        return value;
    }
}
