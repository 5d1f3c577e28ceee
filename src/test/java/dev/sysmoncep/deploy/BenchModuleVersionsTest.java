package dev.sysmoncep.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * bench/pom.xml cannot inherit from the job's pom (a jar project is no parent), so it repeats the
 * versions it shares: they must stay those of the job, or the benchmarks measure another Flink.
 */
class BenchModuleVersionsTest {
    @Test
    void theBenchmarksBuildOnTheJobsVersions() throws Exception {
        Map<String, String> job = properties(Path.of("pom.xml"));
        Map<String, String> bench = properties(Path.of("bench/pom.xml"));

        assertThat(bench).containsKey("flink.version");
        bench.forEach((name, value) -> {
            if (job.containsKey(name)) {
                assertThat(value).as(name + " in bench/pom.xml").isEqualTo(job.get(name));
            }
        });
        assertThat(bench.get("sysmoncep.version")).isEqualTo(projectVersion(Path.of("pom.xml")));
    }

    private static Map<String, String> properties(Path pom) throws Exception {
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
        Map<String, String> properties = new LinkedHashMap<>();
        NodeList children = ((Element) root.getElementsByTagName("properties").item(0)).getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node n = children.item(i);
            if (n instanceof Element e) {
                properties.put(e.getTagName(), e.getTextContent().trim());
            }
        }
        return properties;
    }

    private static String projectVersion(Path pom) throws Exception {
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals("version")) {
                return e.getTextContent().trim();
            }
        }
        throw new AssertionError("no version in " + pom);
    }
}
