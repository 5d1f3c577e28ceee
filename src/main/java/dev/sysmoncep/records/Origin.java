package dev.sysmoncep.records;

import java.util.Objects;

/**
 * Where a line came from: a file and its 1-based line number, or a Kafka topic, partition and
 * offset. Carried on every event and dead letter so an analyst can go back to the raw record.
 * A line read from the middle of a split file has no known line number (the lines before it are
 * read elsewhere): its place is the byte offset of its first byte, like Filebeat's {@code log.offset}.
 */
public class Origin {
    /** File path or topic name. */
    public String source;
    /** Kafka partition, or -1 for a file. */
    public int partition = -1;
    /** Line number (files, 1-based), byte offset (files with {@link #byteOffset}) or offset (Kafka). */
    public long position;
    /** For a file: position is the line's byte offset (0-based), not its line number. */
    public boolean byteOffset;

    public Origin() {}

    public static Origin fileLine(String file, long line) {
        Origin o = new Origin();
        o.source = file;
        o.position = line;
        return o;
    }

    /** A file line known by the offset of its first byte, when its line number is not known. */
    public static Origin fileOffset(String file, long offset) {
        Origin o = fileLine(file, offset);
        o.byteOffset = true;
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
        if (!isFile()) {
            return source + "/" + partition + "@" + position;
        }
        return byteOffset ? source + "@" + position : source + ":" + position;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Origin other
                && partition == other.partition
                && position == other.position
                && byteOffset == other.byteOffset
                && Objects.equals(source, other.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, partition, position, byteOffset);
    }
}
