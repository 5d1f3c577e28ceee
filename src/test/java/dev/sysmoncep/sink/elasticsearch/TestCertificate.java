package dev.sysmoncep.sink.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate for 127.0.0.1, made with the JDK's keytool: the key store for a TLS test
 * proxy, and the certificate as a PEM file, which the sink is told to trust as its CA.
 */
record TestCertificate(SSLContext serverContext, Path pem) {
    private static final String PASSWORD = "test-only";
    private static TestCertificate shared;

    /** One certificate for all tests of a JVM: keytool starts a JVM for each step. */
    static synchronized TestCertificate shared() throws Exception {
        if (shared == null) {
            Path dir = Files.createTempDirectory("sysmon-cep-tls");
            dir.toFile().deleteOnExit();
            shared = selfSigned(dir);
            shared.pem().toFile().deleteOnExit();
            dir.resolve("node.p12").toFile().deleteOnExit();
        }
        return shared;
    }

    private static TestCertificate selfSigned(Path dir) throws Exception {
        Path keyStore = dir.resolve("node.p12");
        Path pem = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "node", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-file", pem.toString());

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return new TestCertificate(context, pem);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }
}
