package dev.sysmoncep.read.kafka;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Where a job without a checkpoint or savepoint starts reading. A job restored from one always goes
 * on from the offsets in its state, whatever this says.
 */
public record StartingOffsets(Kind kind, long timestampMillis) {
    public enum Kind { COMMITTED, EARLIEST, LATEST, TIMESTAMP }

    /** {@code committed}, {@code earliest}, {@code latest}, an ISO-8601 instant or epoch milliseconds. */
    public static StartingOffsets parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "committed" -> {
                return new StartingOffsets(Kind.COMMITTED, 0);
            }
            case "earliest" -> {
                return new StartingOffsets(Kind.EARLIEST, 0);
            }
            case "latest" -> {
                return new StartingOffsets(Kind.LATEST, 0);
            }
            default -> {
                try {
                    return new StartingOffsets(Kind.TIMESTAMP,
                            t.chars().allMatch(Character::isDigit) ? Long.parseLong(t) : Instant.parse(text.trim()).toEpochMilli());
                } catch (NumberFormatException | DateTimeParseException e) {
                    throw new IllegalArgumentException("'" + text + "' is not committed, earliest, latest, an ISO-8601 "
                            + "instant (2024-03-12T09:00:00Z) or epoch milliseconds");
                }
            }
        }
    }

    /** The group's committed offsets fall back to the earliest where the group has none. */
    @SuppressWarnings("deprecation") // the connector's API still takes Kafka's OffsetResetStrategy
    public OffsetsInitializer initializer() {
        return switch (kind) {
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case TIMESTAMP -> OffsetsInitializer.timestamp(timestampMillis);
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case COMMITTED -> "the group's committed offsets (earliest where none)";
            case EARLIEST -> "the earliest offsets";
            case LATEST -> "the latest offsets";
            case TIMESTAMP -> "the first records written at or after " + Instant.ofEpochMilli(timestampMillis);
        };
    }
}
