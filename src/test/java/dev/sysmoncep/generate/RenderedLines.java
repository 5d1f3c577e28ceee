package dev.sysmoncep.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/** Reads rendered lines back with standard parsers, to check them independently of the project's parser. */
final class RenderedLines {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event";
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final DocumentBuilderFactory XML = xmlFactory();

    private RenderedLines() {}

    static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses one XML line with DTDs and external entities off, as for untrusted input. */
    static Document xml(String line) {
        try {
            DocumentBuilder builder = XML.newDocumentBuilder();
            return builder.parse(new InputSource(new StringReader(line)));
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalArgumentException("not well-formed XML: " + line, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Text of the first element of that name under System. */
    static String system(Document event, String element) {
        NodeList nodes = event.getElementsByTagNameNS(EVENT_NS, element);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }

    static String systemAttribute(Document event, String element, String attribute) {
        Element e = (Element) event.getElementsByTagNameNS(EVENT_NS, element).item(0);
        return e == null ? null : e.getAttribute(attribute);
    }

    /** EventData as Name to value, in document order. */
    static Map<String, String> eventData(Document event) {
        Map<String, String> data = new LinkedHashMap<>();
        NodeList nodes = event.getElementsByTagNameNS(EVENT_NS, "Data");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element d = (Element) nodes.item(i);
            data.put(d.getAttribute("Name"), d.getTextContent());
        }
        return data;
    }

    static long utcTimeMillis(String utcTime) {
        return LocalDateTime.parse(utcTime, UTC_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private static DocumentBuilderFactory xmlFactory() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            return f;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }
}
