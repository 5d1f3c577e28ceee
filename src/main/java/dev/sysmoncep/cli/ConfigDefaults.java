package dev.sysmoncep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/**
 * Option values from the {@code --config} file, for every subcommand; the command line wins,
 * since picocli asks for defaults only for options not given. Keys are long option names without
 * the dashes ({@code sequence-window}); a key under a subcommand's section ({@code replay:} in
 * YAML, {@code replay.output} in a properties file) applies to that subcommand only and wins over
 * a top-level key, which applies to every subcommand that has the option. A list (YAML) gives a
 * repeatable option several values. Relative paths count from the config file's directory. An
 * unknown key is an error, so a typo cannot be silently ignored.
 *
 * <p>Picocli applies a command's defaults after reading its arguments, so {@code --config} is
 * known by then wherever it stands on the command line; the file is read on first use.
 */
final class ConfigDefaults implements IDefaultValueProvider {
    /** Options that make no sense in a file. */
    private static final Set<String> NOT_CONFIGURABLE = Set.of("help", "version", "config");
    /** Several values reach picocli as one string with a value per line; see {@link #defaultValue}. */
    private static final String LIST_SEPARATOR = "\n";

    private final CommandSpec root;
    private final Supplier<Path> configFile;
    private Path loadedFrom;
    private Map<String, List<String>> values = Map.of();

    ConfigDefaults(CommandSpec root, Supplier<Path> configFile) {
        this.root = root;
        this.configFile = configFile;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || configFile.get() == null) {
            return null;
        }
        Map<String, List<String>> config = load(configFile.get());
        String key = key(option);
        List<String> given = config.get(option.command().name() + "." + key);
        String usedKey = option.command().name() + "." + key;
        if (given == null) {
            given = config.get(key);
            usedKey = key;
        }
        if (given == null) {
            return null;
        }
        List<String> resolved = isPath(option) ? given.stream().map(this::resolve).toList() : given;
        if (resolved.size() == 1) {
            return resolved.get(0);
        }
        // A repeatable option splits its value on line breaks (its split regex), so a list can pass.
        if (option.splitRegex().isEmpty() || !LIST_SEPARATOR.matches(option.splitRegex())) {
            throw UserError.config("config " + loadedFrom + ": key '" + usedKey + "' has a list, but "
                    + option.longestName() + " takes one value", "give a single value");
        }
        return String.join(LIST_SEPARATOR, resolved);
    }

    /** The config key of the option the value of which was bad, if it came from the file. */
    String keyOf(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || loadedFrom == null) {
            return null;
        }
        String key = key(option);
        String sectioned = option.command().name() + "." + key;
        return values.containsKey(sectioned) ? sectioned : values.containsKey(key) ? key : null;
    }

    Path file() {
        return loadedFrom;
    }

    private static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    private static boolean isPath(OptionSpec option) {
        if (isPathType(option.type())) {
            return true;
        }
        Class<?>[] elements = option.auxiliaryTypes();
        return option.isMultiValue() && elements.length == 1 && isPathType(elements[0]);
    }

    private static boolean isPathType(Class<?> type) {
        return type == Path.class || type == Location.class;
    }

    /** A relative path counts from the config file's directory; a URI (s3://...) stays as it is. */
    private String resolve(String path) {
        if (Location.hasScheme(path)) {
            return path;
        }
        Path dir = loadedFrom.toAbsolutePath().getParent();
        return dir == null ? path : dir.resolve(path).toString();
    }

    private Map<String, List<String>> load(Path file) {
        if (file.equals(loadedFrom)) {
            return values;
        }
        if (!Files.isRegularFile(file)) {
            throw UserError.config("config file " + file + (Files.exists(file) ? " is not a file" : " does not exist"),
                    "check the path given to --config");
        }
        Map<String, List<String>> read;
        try {
            read = file.getFileName().toString().endsWith(".properties") ? readProperties(file) : readYaml(file);
        } catch (IOException e) {
            throw UserError.config("cannot read config file " + file + ": " + e.getMessage().lines().findFirst().orElse(""),
                    "write it as YAML (key: value) or, named *.properties, as key=value lines");
        }
        checkKeys(read, file);
        loadedFrom = file;
        values = read;
        return values;
    }

    private static Map<String, List<String>> readProperties(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Map<String, List<String>> read = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            read.put(key, p.getProperty(key).lines().map(String::trim).filter(v -> !v.isEmpty()).toList());
        }
        return read;
    }

    private Map<String, List<String>> readYaml(Path file) throws IOException {
        JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        Map<String, List<String>> read = new LinkedHashMap<>();
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return read;
        }
        if (!tree.isObject()) {
            throw UserError.config("config file " + file + " is not a map of option names to values",
                    "write it as key: value lines, e.g. sequence-window: 30m");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> s = e.getValue().fields(); s.hasNext(); ) {
                    Map.Entry<String, JsonNode> inSection = s.next();
                    putValues(read, e.getKey() + "." + inSection.getKey(), inSection.getValue(), file);
                }
            } else {
                putValues(read, e.getKey(), e.getValue(), file);
            }
        }
        return read;
    }

    private static void putValues(Map<String, List<String>> read, String key, JsonNode value, Path file) {
        List<String> list = new ArrayList<>();
        for (JsonNode v : value.isArray() ? value : List.of(value)) {
            if (v.isContainerNode()) {
                throw UserError.config("config " + file + ": key '" + key + "' holds a nested structure",
                        "give a value or a list of values");
            }
            if (!v.isNull()) {
                list.add(v.asText());
            }
        }
        if (!list.isEmpty()) {
            read.put(key, list);
        }
    }

    /** Every key must name an option of the section's subcommand, or, unsectioned, of some command. */
    private void checkKeys(Map<String, List<String>> read, Path file) {
        Map<String, Set<String>> optionsBySection = new LinkedHashMap<>();
        Set<String> anyCommand = new TreeSet<>();
        collect(root, optionsBySection, anyCommand);
        for (String key : read.keySet()) {
            int dot = key.indexOf('.');
            String section = dot < 0 ? null : key.substring(0, dot);
            String name = dot < 0 ? key : key.substring(dot + 1);
            if (section != null && !optionsBySection.containsKey(section)) {
                throw UserError.config("config " + file + ": unknown section '" + section + "'",
                        "sections are subcommand names: " + String.join(", ", optionsBySection.keySet()));
            }
            Set<String> known = section == null ? anyCommand : optionsBySection.get(section);
            if (!known.contains(name)) {
                throw UserError.config("config " + file + ": unknown key '" + key + "'",
                        "keys are long option names without the dashes; known"
                                + (section == null ? "" : " for " + section) + ": " + String.join(", ", known));
            }
        }
    }

    private static void collect(CommandSpec command, Map<String, Set<String>> bySection, Set<String> anyCommand) {
        Set<String> names = new TreeSet<>();
        for (OptionSpec o : command.options()) {
            String name = key(o);
            if (!NOT_CONFIGURABLE.contains(name)) {
                names.add(name);
            }
        }
        anyCommand.addAll(names);
        if (command.parent() != null) {
            bySection.put(command.name(), names);
        }
        for (CommandLine sub : command.subcommands().values()) {
            collect(sub.getCommandSpec(), bySection, anyCommand);
        }
    }
}
