package dev.sysmoncep.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * One rule as written in the rule file: the facts (ids, names, MITRE tags, risk, message) and
 * either a single-event match with its grouping, or the parts of a sequence.
 */
public class RuleDefinition implements Serializable {
    private static final long serialVersionUID = 1L;

    public String id;
    public String name;
    public String author;
    /** Splunk's detection type: TTP, Anomaly, or Correlation for a sequence. */
    public String type;
    public int version;
    public String description;
    public ArrayList<String> references = new ArrayList<>();
    public int impact;
    public int confidence;
    @JsonProperty("risk_score")
    public int riskScore;
    public ArrayList<MitreTag> tactics = new ArrayList<>();
    public ArrayList<MitreTag> techniques = new ArrayList<>();
    /** With {@code $field$} placeholders, as in Splunk's risk messages. */
    public String message;
    /** Field name to the patterns of which any must match (single-event rules). */
    public LinkedHashMap<String, ArrayList<String>> match = new LinkedHashMap<>();
    @JsonProperty("group_by")
    public ArrayList<String> groupBy = new ArrayList<>();
    /** Ids of the rules a sequence chains (sequences only). */
    public ArrayList<String> parts = new ArrayList<>();

    /** A MITRE ATT&CK tactic or technique; a sub-technique names its parent technique. */
    public static class MitreTag implements Serializable {
        private static final long serialVersionUID = 1L;
        public String id;
        public String name;
        public String parent;

        public MitreTag() {}

        public MitreTag(String id, String name, String parent) {
            this.id = id;
            this.name = name;
            this.parent = parent;
        }

        public String reference() {
            String path = id.startsWith("TA") ? "tactics/" + id : "techniques/" + id.replace('.', '/');
            return "https://attack.mitre.org/" + path + "/";
        }
    }
}
