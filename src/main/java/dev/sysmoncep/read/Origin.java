package dev.sysmoncep.read;

import java.util.Objects;

/**
 * Where a line came from: a file and its 1-based line number, or a Kafka topic, partition and
 * offset. Carried on every event and dead letter so an analyst can go back to the raw record.
 */
public class Origin {
    /** File path or topic name. */
    public String source;
    /** Kafka partition, or -1 for a file. */
    public int partition = -1;
    /** Line number (files, 1-based) or offset (Kafka). */
    public long position;

    public Origin() {}

    public static Origin fileLine(String file, long line) {
        Origin o = new Origin();
        o.source = file;
        o.position = line;
        return o;
    }

    public static Origin kafka(String topic, int partition, long offset) {
        Origin o = new Origin();
        o.source = topic;
        o.partition = partition;
        o.position = offset;
        return o;
    }

    public boolean isFile() {
        return partition < 0;
    }

    @Override
    public String toString() {
        return isFile() ? source + ":" + position : source + "/" + partition + "@" + position;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Origin other
                && partition == other.partition
                && position == other.position
                && Objects.equals(source, other.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, partition, position);
    }
}
