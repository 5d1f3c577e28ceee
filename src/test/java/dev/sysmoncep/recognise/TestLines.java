package dev.sysmoncep.recognise;

import dev.sysmoncep.records.Origin;
import dev.sysmoncep.records.SysmonEvent;
import dev.sysmoncep.records.SysmonRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Lines of test resources as the reader hands them over: bytes without the newline, a CR kept. */
final class TestLines {

    private TestLines() {}

    /** The lines of a classpath resource, gunzipped if its name ends in .gz. */
    static List<byte[]> of(String resource) {
        try (InputStream raw = TestLines.class.getResourceAsStream("/" + resource)) {
            if (raw == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            byte[] all = (resource.endsWith(".gz") ? new GZIPInputStream(raw) : raw).readAllBytes();
            List<byte[]> lines = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == '\n') {
                    lines.add(Arrays.copyOfRange(all, start, i));
                    start = i + 1;
                }
            }
            if (start < all.length) {
                lines.add(Arrays.copyOfRange(all, start, all.length));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Line {@code number} (1-based) of a resource. */
    static byte[] line(String resource, int number) {
        return of(resource).get(number - 1);
    }

    static String text(String resource, int number) {
        return new String(line(resource, number), StandardCharsets.UTF_8);
    }

    static SysmonRecord parse(byte[] line) {
        return new SysmonLineParser().parse(line, 0, line.length, Origin.fileLine("test", 1));
    }

    static SysmonRecord parse(String line) {
        return parse(line.getBytes(StandardCharsets.UTF_8));
    }

    static SysmonEvent event(String line) {
        SysmonRecord record = parse(line);
        if (record.kind != SysmonRecord.Kind.EVENT) {
            throw new AssertionError("expected an event, got " + record);
        }
        return record.event;
    }
}
