package dev.sysmoncep.sink.elasticsearch;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A password or API key, or where to find one. Only {@code fromEnv} and {@code fromFile} keep the
 * value itself out of the job graph: they are read on the task manager when the sink opens, so a
 * Kubernetes secret mounted as a file or an environment variable never travels with the job.
 * {@link #toString()} never shows a value.
 */
public final class Secret implements Serializable {
    private static final long serialVersionUID = 1L;

    private enum Source { VALUE, ENVIRONMENT, FILE }

    private final Source source;
    /** The secret itself, the variable's name, or the file's path, depending on {@link #source}. */
    private final String reference;

    private Secret(Source source, String reference) {
        this.source = source;
        this.reference = Objects.requireNonNull(reference);
    }

    public static Secret of(String value) {
        return new Secret(Source.VALUE, value);
    }

    public static Secret fromEnv(String variable) {
        return new Secret(Source.ENVIRONMENT, variable);
    }

    /** The file's content without its trailing line break, as {@code echo secret > file} leaves it. */
    public static Secret fromFile(Path file) {
        return new Secret(Source.FILE, file.toString());
    }

    String reveal() throws IOException {
        switch (source) {
            case VALUE:
                return reference;
            case ENVIRONMENT:
                String value = System.getenv(reference);
                if (value == null || value.isEmpty()) {
                    throw new IOException("Environment variable " + reference + " is not set");
                }
                return value;
            default:
                return Files.readString(Path.of(reference), StandardCharsets.UTF_8).replaceFirst("\\R+\\z", "");
        }
    }

    @Override
    public String toString() {
        switch (source) {
            case VALUE:
                return "Secret[***]";
            case ENVIRONMENT:
                return "Secret[env " + reference + "]";
            default:
                return "Secret[file " + reference + "]";
        }
    }
}
