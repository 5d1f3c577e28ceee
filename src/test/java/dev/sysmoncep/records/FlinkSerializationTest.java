package dev.sysmoncep.records;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojo;
import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;

import dev.sysmoncep.alert.Alert;
import dev.sysmoncep.alert.AlertDocument;
import dev.sysmoncep.detect.Finding;
import org.junit.jupiter.api.Test;

/**
 * Every record Flink moves between operators or keeps in state is a POJO its PojoSerializer writes
 * field by field: state written by one version then restores in the next when a field is added
 * (the state evolution their Javadoc promises).
 */
class FlinkSerializationTest {
    @Test
    void theRecordsBetweenStagesArePojos() {
        assertSerializedAsPojoWithoutKryo(SysmonRecord.class);
        assertSerializedAsPojoWithoutKryo(SysmonEvent.class);
        assertSerializedAsPojoWithoutKryo(DeadLetter.class);
        assertSerializedAsPojoWithoutKryo(LineTally.class);
        assertSerializedAsPojoWithoutKryo(Origin.class);
    }

    /**
     * Their name lists (ArrayList) go through Kryo inside the POJO, as they have since the first
     * savepoints: a list serializer of Flink's own would make today's savepoints unreadable.
     */
    @Test
    void findingsAndAlertsInStateArePojos() {
        assertSerializedAsPojo(Finding.class);
        assertSerializedAsPojo(Alert.class);
        assertSerializedAsPojoWithoutKryo(AlertDocument.class);
    }
}
