package dev.sysmoncep.recognise;

import dev.sysmoncep.recognise.FieldValues.Field;
import dev.sysmoncep.records.SourceFormat;
import java.io.ByteArrayInputStream;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a Splunk XmlWinEventLog line: one Windows {@code <Event>} element. A log line has no
 * business declaring a DTD or entities, so a DOCTYPE is refused outright and no entity is ever
 * expanded or fetched. Element names are matched by local name, whatever the namespace.
 */
final class XmlEventReader {

    private static final String DOCTYPE_REFUSED = "XML with DOCTYPE refused";
    private static final String NOT_AN_EVENT = "XML that is not an <Event>";
    /** The JDK StAX factory's own property; one reader per thread, which a parser is. */
    private static final String REUSE_INSTANCE = "reuse-instance";

    private static final Map<String, Field> DATA_FIELDS = Map.of(
            "UtcTime", Field.UTC_TIME,
            "ProcessGuid", Field.PROCESS_GUID,
            "ProcessId", Field.PROCESS_ID,
            "Image", Field.IMAGE,
            "User", Field.USER,
            "EventType", Field.EVENT_TYPE,
            "PipeName", Field.PIPE_NAME,
            "QueryName", Field.QUERY_NAME,
            "QueryStatus", Field.QUERY_STATUS,
            "QueryResults", Field.QUERY_RESULTS);

    /** The JDK's own StAX, never whatever another jar on the classpath registers. */
    private final XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
    private final StringBuilder text = new StringBuilder();

    XmlEventReader() {
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // Unresolvable references then arrive as events, which are refused, instead of being looked up.
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        // The JDK's factory then resets one reader for each line instead of building a new one,
        // which cost more than reading the line.
        factory.setProperty(REUSE_INSTANCE, true);
    }

    /** Why a line is refused although it is well-formed so far; carries no stack, it is not a fault. */
    private static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Reads the {@code <Event>} in {@code buf[off, off+len)} into {@code values}.
     *
     * @return null if it was read, else why the line is not an event
     */
    String read(byte[] buf, int off, int len, FieldValues values) {
        values.format = SourceFormat.XML;
        boolean atRoot = false;
        XMLStreamReader reader = null;
        try {
            reader = factory.createXMLStreamReader(new ByteArrayInputStream(buf, off, len), "UTF-8");
            toRoot(reader);
            atRoot = true;
            readEvent(reader, values);
            while (reader.hasNext()) {
                reader.next(); // only so that content after the event is found and refused
            }
            return null;
        } catch (Refused refused) {
            return refused.getMessage();
        } catch (XMLStreamException e) {
            if (!atRoot && !hasElement(buf, off, len)) {
                return NOT_AN_EVENT + ": no element";
            }
            return "invalid XML: " + SysmonLineParser.firstLine(detail(e));
        } finally {
            close(reader);
        }
    }

    private static void toRoot(XMLStreamReader reader) throws XMLStreamException, Refused {
        while (true) {
            int event = reader.next();
            if (event == XMLStreamConstants.DTD) {
                throw new Refused(DOCTYPE_REFUSED);
            }
            if (event == XMLStreamConstants.START_ELEMENT) {
                if (!"Event".equals(reader.getLocalName())) {
                    throw new Refused(NOT_AN_EVENT + ": root <" + reader.getLocalName() + ">");
                }
                return;
            }
        }
    }

    /** Reads from just inside {@code <Event>} to its end. */
    private void readEvent(XMLStreamReader reader, FieldValues values) throws XMLStreamException, Refused {
        int depth = 1;
        String section = "";
        while (depth > 0) {
            switch (reader.next()) {
                case XMLStreamConstants.START_ELEMENT -> {
                    depth++;
                    String name = reader.getLocalName();
                    if (depth == 2) {
                        section = name;
                    } else if (depth == 3 && readField(reader, section, name, values)) {
                        depth--;
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> depth--;
                case XMLStreamConstants.ENTITY_REFERENCE -> throw unknownEntity(reader);
                default -> { }
            }
        }
    }

    /**
     * Takes what a child of System or EventData carries.
     *
     * @return true if its text was read, which consumes its end tag
     */
    private boolean readField(XMLStreamReader reader, String section, String name, FieldValues values)
            throws XMLStreamException, Refused {
        if (section.equals("EventData")) {
            String dataName = name.equals("Data") ? reader.getAttributeValue(null, "Name") : null;
            Field field = dataName == null ? null : DATA_FIELDS.get(dataName);
            if (field == null) {
                return false;
            }
            values.offer(field, 0, text(reader, name), dataName);
            return true;
        }
        if (!section.equals("System")) {
            return false;
        }
        switch (name) {
            case "Provider" -> values.offer(Field.PROVIDER, 0, reader.getAttributeValue(null, "Name"), name);
            case "TimeCreated" -> values.offer(Field.RECORD_TIME, 0, reader.getAttributeValue(null, "SystemTime"), name);
            case "Security" -> values.offer(Field.USER_SID, 0, reader.getAttributeValue(null, "UserID"), name);
            case "EventID" -> {
                values.offer(Field.EVENT_ID, 0, text(reader, name), name);
                return true;
            }
            case "Channel" -> {
                values.offer(Field.CHANNEL, 0, text(reader, name), name);
                return true;
            }
            case "Computer" -> {
                values.offer(Field.HOST, 0, text(reader, name), name);
                return true;
            }
            default -> { }
        }
        return false;
    }

    /** The text of the element just started, up to and including its end tag. */
    private String text(XMLStreamReader reader, String element) throws XMLStreamException, Refused {
        text.setLength(0);
        while (true) {
            switch (reader.next()) {
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE ->
                        text.append(reader.getTextCharacters(), reader.getTextStart(), reader.getTextLength());
                case XMLStreamConstants.END_ELEMENT -> {
                    return text.toString();
                }
                case XMLStreamConstants.START_ELEMENT ->
                        throw new Refused("XML with element <" + reader.getLocalName() + "> inside <" + element + ">");
                case XMLStreamConstants.ENTITY_REFERENCE -> throw unknownEntity(reader);
                default -> { }
            }
        }
    }

    /** Without a DTD only the five predefined entities exist, and those arrive as text. */
    private static Refused unknownEntity(XMLStreamReader reader) {
        return new Refused("invalid XML: undeclared entity &" + reader.getLocalName() + ";");
    }

    /** True if the line holds a start tag at all, so that a bare {@code <?xml ...?>} is told from broken XML. */
    private static boolean hasElement(byte[] buf, int off, int len) {
        for (int i = off; i < off + len - 1; i++) {
            if (buf[i] == '<' && buf[i + 1] != '?' && buf[i + 1] != '!' && buf[i + 1] != '/') {
                return true;
            }
        }
        return false;
    }

    /** The JDK's message without its "ParseError at [row,col]" preamble. */
    private static String detail(XMLStreamException e) {
        String message = e.getMessage();
        int at = message == null ? -1 : message.indexOf("Message: ");
        return at < 0 ? message : message.substring(at + "Message: ".length());
    }

    private static void close(XMLStreamReader reader) {
        if (reader != null) {
            try {
                reader.close();
            } catch (XMLStreamException ignored) {
                // Nothing is held open: the input is an array in memory.
            }
        }
    }
}
