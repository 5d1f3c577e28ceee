package dev.sysmoncep.cli;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs in to Kafka once, with the job's client properties, before the stream job starts: refused
 * credentials then end the command with a clear message and an exit code, where the job would
 * fail and restart over and over. Brokers that do not answer in time are only warned about, since
 * whoever submits the job need not reach them (a cluster's TaskManagers must) and the job keeps trying.
 */
final class KafkaLogin {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLogin.class);
    private static final String FIX = "check security.protocol, sasl.mechanism and sasl.jaas.config (or ssl.*) in "
            + "--kafka-properties or the SYSMON_CEP_KAFKA_* environment variables";

    private KafkaLogin() {}

    /**
     * @throws UserError if the brokers refuse the login or the properties are unusable
     */
    static void check(String brokers, Properties client, Duration timeout) {
        Properties p = new Properties();
        p.putAll(client);
        p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        Admin admin;
        try {
            admin = Admin.create(p);
        } catch (KafkaException e) {
            ConfigException c = SysmonCep.find(e, ConfigException.class);
            if (c != null && c.getMessage().contains(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                LOG.warn("Kafka at {} cannot be looked up here ({}); the job starts anyway", brokers, c.getMessage());
                return;
            }
            throw UserError.config("the Kafka client properties are unusable: " + SysmonCep.describe(e), FIX);
        }
        try (admin) {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException || e.getCause() instanceof AuthorizationException) {
                throw new UserError(UserError.Kind.UNREACHABLE, "Kafka at " + brokers + " refused the login ("
                        + e.getCause().getMessage() + ")", FIX, e.getCause());
            }
            LOG.warn("Kafka at {} did not answer the login check ({}); the job starts anyway and keeps trying",
                    brokers, SysmonCep.describe(e.getCause()));
        } catch (TimeoutException e) {
            LOG.warn("Kafka at {} did not answer the login check within {}; the job starts anyway and keeps trying",
                    brokers, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while logging in to Kafka", e);
        }
    }
}
