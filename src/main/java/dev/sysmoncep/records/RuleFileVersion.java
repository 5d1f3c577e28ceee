package dev.sysmoncep.records;

/**
 * One version of the rule file, as a stream job takes it from its rules topic: the file's own
 * {@code version} number, the SHA-256 of its bytes, its text, and where it came from. It travels
 * between the events of a stream, in order, so every operator that matches or enriches switches to
 * it at the same point of each reader's records.
 */
public class RuleFileVersion implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** The file's top-level {@code version}; each version taken live has a greater one than the last. */
    public int version;
    /** Hex SHA-256 of the file's bytes: tells two files of the same number apart. */
    public String sha256;
    /** The YAML, as in a {@code --rules} file. */
    public String text;
    /** A file's path or a topic record's topic/partition@offset. */
    public String origin;

    public RuleFileVersion() {}

    public RuleFileVersion(int version, String sha256, String text, String origin) {
        this.version = version;
        this.sha256 = sha256;
        this.text = text;
        this.origin = origin;
    }

    /** The first twelve hex digits of the hash, as logs and the {@code rules} command show it. */
    public String shortHash() {
        return sha256.substring(0, Math.min(12, sha256.length()));
    }

    @Override
    public String toString() {
        return "rules version " + version + " (sha256 " + shortHash() + ", " + origin + ")";
    }
}
