package dev.sysmoncep.recognise;

import dev.sysmoncep.recognise.FieldValues.Field;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sysmon's DNS fields (event 22) from Winlogbeat's sysmon module, which rewrites them: QueryStatus
 * becomes {@code sysmon.dns.status} with the Windows error code's name ("SUCCESS",
 * "DNS_ERROR_RCODE_NAME_ERROR"), and QueryResults is split into {@code dns.answers} (type and data)
 * and {@code dns.resolved_ip}, or dropped when Sysmon wrote "-". Turned back here into Sysmon's own
 * values, so that one event read as XML, flat JSON or Winlogbeat ECS groups alike and gets the
 * same alert id. A record type the module could not name (it then writes no type) is the one case
 * where the string cannot be rebuilt: that answer's data stands alone.
 */
public final class DnsFields {
    /** Sysmon's QueryStatus codes and the names Winlogbeat writes for them: every one its module names. */
    private static final CodeNames STATUS = CodeNames.load("dns-query-status.txt");

    /** DNS record types by the number Sysmon writes in QueryResults ("type:  5 name" for a CNAME) and by name. */
    private static final CodeNames RECORD_TYPES = CodeNames.load("dns-record-types.txt");

    private DnsFields() {}

    /** One answer of {@code dns.answers}. */
    public record Answer(String type, String data) {}

    /** The name Winlogbeat writes for a QueryStatus code, or the code itself where it knows none. */
    public static String statusName(String code) {
        return STATUS.nameOfCode().getOrDefault(code, code);
    }

    /**
     * QueryResults split as Winlogbeat's sysmon module splits it: {@code type:  N data} entries as
     * answers of that type, addresses (their {@code ::ffff:} dropped) as A or AAAA answers; and the
     * addresses alone, for {@code dns.resolved_ip}.
     */
    public static List<Answer> answers(String queryResults, List<String> resolvedIps) {
        List<Answer> answers = new java.util.ArrayList<>();
        if (queryResults == null) {
            return answers;
        }
        for (String part : queryResults.split(";")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.startsWith("type:")) {
                String[] words = part.trim().split("\\s+");
                if (words.length == 3) {
                    answers.add(new Answer(RECORD_TYPES.nameOfCode().get(words[1]), words[2]));
                }
            } else {
                String ip = part.replace("::ffff:", "");
                if (ip.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':') && !ip.isEmpty()) {
                    resolvedIps.add(ip);
                    answers.add(new Answer(ip.indexOf(':') >= 0 ? "AAAA" : "A", ip));
                }
            }
        }
        return answers;
    }

    /**
     * For an event in the module's shape: its status name back to Sysmon's code (a name it does not
     * know stays as it is), and without answers Sysmon's "-" for no results.
     */
    static void normalise(FieldValues v) {
        String moduleStatus = v.get(Field.MODULE_DNS_STATUS);
        if (moduleStatus == null) {
            return;
        }
        if (v.get(Field.QUERY_STATUS) == null) {
            v.set(Field.QUERY_STATUS, STATUS.codeOfName().getOrDefault(moduleStatus.trim(), moduleStatus));
        }
        if (v.get(Field.QUERY_RESULTS) == null) {
            v.set(Field.QUERY_RESULTS, "-");
        }
    }

    /**
     * Sysmon's QueryResults from the module's answers: a name record as {@code type:  N data;}, an
     * address as Sysmon writes it ({@code ::ffff:} before an IPv4 address); from resolved addresses
     * alone when there are no answers. Null when there is neither.
     */
    static String queryResults(List<Answer> answers, List<String> resolvedIps) {
        StringBuilder s = new StringBuilder();
        if (!answers.isEmpty()) {
            for (Answer a : answers) {
                boolean address = "A".equals(a.type()) || "AAAA".equals(a.type());
                if (address) {
                    s.append(sysmonAddress(a.data()));
                } else {
                    String type = a.type() == null ? null : RECORD_TYPES.codeOfName().get(a.type());
                    if (type != null) {
                        s.append("type:  ").append(type).append(' ');
                    }
                    s.append(a.data());
                }
                s.append(';');
            }
        } else {
            resolvedIps.forEach(ip -> s.append(sysmonAddress(ip)).append(';'));
        }
        return s.length() == 0 ? null : s.toString();
    }

    /** Codes and their names, read from a resource beside this class: a code and its name a line, # before comments. */
    private record CodeNames(Map<String, String> nameOfCode, Map<String, String> codeOfName) {
        static CodeNames load(String resource) {
            Map<String, String> names = new HashMap<>();
            Map<String, String> codes = new HashMap<>();
            try (InputStream in = DnsFields.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the job's jar lacks " + resource);
                }
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] codeAndName = line.trim().split(" ");
                    names.put(codeAndName[0], codeAndName[1]);
                    codes.put(codeAndName[1], codeAndName[0]);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
            return new CodeNames(Map.copyOf(names), Map.copyOf(codes));
        }
    }

    private static String sysmonAddress(String ip) {
        return ip.indexOf(':') < 0 && !ip.isEmpty() ? "::ffff:" + ip : ip;
    }
}
