package dev.sysmoncep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The job's packages as floors (docs/design.md): each imports only floors below it, so the data
 * flows one way and no package cycle can form. A new package must be given its floor here.
 */
class PackageLayersTest {
    /** Lowest first; packages on one floor do not import each other. */
    private static final List<Set<String>> FLOORS = List.of(
            Set.of("records", "scan", "metrics"),
            Set.of("recognise"),
            Set.of("read"),
            Set.of("read.kafka"),
            Set.of("detect"),
            Set.of("alert", "detect.live"),
            Set.of("workflow", "sink", "sink.elasticsearch", "generate"),
            Set.of("sink.kafka"),
            Set.of("cli"));
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package dev\\.sysmoncep\\.([\\w.]+);");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?dev\\.sysmoncep\\.([a-z.]+?)\\.[A-Z]");

    @Test
    void everyPackageImportsOnlyFloorsBelowIt() throws IOException {
        Map<String, Set<String>> imports = imports(Path.of("src/main/java/dev/sysmoncep"));
        List<String> upward = new ArrayList<>();
        imports.forEach((from, targets) -> {
            int own = floor(from);
            for (String to : targets) {
                if (!to.equals(from) && floor(to) >= own) {
                    upward.add(from + " -> " + to);
                }
            }
        });
        assertThat(upward).as("imports of a package on the same floor or above").isEmpty();
    }

    private static int floor(String pkg) {
        for (int i = 0; i < FLOORS.size(); i++) {
            if (FLOORS.get(i).contains(pkg)) {
                return i;
            }
        }
        throw new AssertionError("package dev.sysmoncep." + pkg + " has no floor in PackageLayersTest");
    }

    private static Map<String, Set<String>> imports(Path root) throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(f);
                Matcher pkg = PACKAGE.matcher(source);
                if (!pkg.find()) {
                    throw new AssertionError(f + " has no package under dev.sysmoncep");
                }
                Set<String> to = imports.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
                Matcher imp = IMPORT.matcher(source);
                while (imp.find()) {
                    to.add(imp.group(1));
                }
            }
        }
        return imports;
    }
}
