package dev.sysmoncep.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A file of one record per line in which a line holds a JSON array of events ({@code [{...},{...}]},
 * one batch per line): each event is read as a line of its own, named by its line; whatever else a
 * line holds stays the line, for the parser to accept or refuse as it is.
 */
class ArrayLinesTest {

    private static List<String> read(String text) throws IOException {
        List<String> records = new ArrayList<>();
        try (LogLines lines = LogLines.whole(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "f",
                "events.json", 4096)) {
            while (lines.next()) {
                records.add(lines.origin().position + " " + new String(lines.lineBuffer(), lines.lineOffset(),
                        lines.lineLength(), StandardCharsets.UTF_8));
            }
        }
        return records;
    }

    @Test
    void eachEventOfAnArrayLineIsALineOfItsOwn() throws IOException {
        assertThat(read("[{\"EventID\":17},{\"EventID\":22}]\n[ {\"a\":\"], [{\\\"\"} ]\r\n{\"EventID\":1}\n"))
                .containsExactly("1 {\"EventID\":17}", "1 {\"EventID\":22}", "2 {\"a\":\"], [{\\\"\"}", "3 {\"EventID\":1}");
    }

    @Test
    void anEmptyArrayIsABlankLineAndAnythingElseStaysAsItIs() throws IOException {
        assertThat(read("{\"EventID\":1}\n[]\n[1, 2, 3]\n[{\"a\":1}, 2]\n[{\"a\":1}] trailing\n[{\"a\":1},]\n[{\"a\":1}\n]\n"
                + "[[{\"a\":1}]]\n"))
                .containsExactly("1 {\"EventID\":1}", "2 ", "3 [1, 2, 3]", "4 [{\"a\":1}, 2]", "5 [{\"a\":1}] trailing",
                        "6 [{\"a\":1},]", "7 [{\"a\":1}", "8 ]", "9 [[{\"a\":1}]]");
    }
}
