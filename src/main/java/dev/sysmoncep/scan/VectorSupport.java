package dev.sysmoncep.scan;

/**
 * Whether this JVM was started with {@code --add-modules jdk.incubator.vector} (the launcher, the
 * tests and the Flink configurations in flink-conf/ and k8s/ do so). Kept apart from
 * {@link ByteVectors} so that asking does not load the Vector API's classes.
 */
public final class VectorSupport {
    public static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private VectorSupport() {}
}
