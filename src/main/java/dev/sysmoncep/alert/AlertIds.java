package dev.sysmoncep.alert;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic alert ids: a name-based UUID of the rule id, the group and the window start, so a
 * replay of the same logs, in batch or streaming, yields the same ids and a sink can upsert by them.
 */
public final class AlertIds {
    private AlertIds() {}

    public static String of(String ruleId, String groupKey, long windowStart) {
        String name = ruleId + '\u0000' + groupKey + '\u0000' + windowStart;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
