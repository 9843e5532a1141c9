package cxg.pki;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The demo member CA and its certificates, kept as files in one directory.
 *
 * <p>Layout: {@code ca.p12} (CA key, alias {@code ca}), {@code ca.crt} (PEM trust bundle),
 * {@code truststore.p12} (CA certificate only), {@code ca.crl} (PEM CRL, always present), and per member
 * {@code N.p12} (alias N, chain leaf+CA), {@code N.crt}, {@code N.key} (PKCS#8, mode 600).
 * All stores use the password {@value #PASSWORD}. Keys are EC P-256 because they are fast to make.
 */
public final class DevPki {

    public static final String PASSWORD = "changeit";
    public static final String ORGANISATION = "cxg-demo";
    /** {@code service}: infrastructure next to the gateway (Keycloak's HTTPS server), never a member. */
    public static final Set<String> KINDS = Set.of("gateway", "agency", "platform", "auditor", "service");
    /** The demo members {@link #init} creates, with their kinds, in creation order (plus the Keycloak server). */
    public static final Map<String, String> DEMO_MEMBERS = demoMembers();

    private static final String CA_ALIAS = "ca";
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration LEAF_VALIDITY = Duration.ofDays(730);
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration CRL_VALIDITY = Duration.ofDays(730);
    /** Back-dating tolerates small clock differences between processes/hosts. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private static final FileAttribute<?>[] PUBLIC = {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"))};

    private final Path dir;
    private final PrivateKey caKey;
    private final X509Certificate caCert;

    private DevPki(Path dir, PrivateKey caKey, X509Certificate caCert) {
        this.dir = dir;
        this.caKey = caKey;
        this.caCert = caCert;
    }

    private static Map<String, String> demoMembers() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("gateway", "gateway");
        m.put("court", "agency");
        m.put("railway", "agency");
        m.put("alpha-credit", "platform");
        m.put("beta-score", "platform");
        m.put("auditor", "auditor");
        m.put("keycloak", "service");
        return Collections.unmodifiableMap(m);
    }

    /** The certificate subject a member gets, e.g. {@code CN=court,OU=agency,O=cxg-demo}. */
    public static String subjectOf(String name, String kind) {
        return "CN=" + name + ",OU=" + kind + ",O=" + ORGANISATION;
    }

    /**
     * Creates the demo CA and member set in {@code dir}. Idempotent: a valid existing CA and valid member
     * files are kept (a missing or broken one is re-issued); {@code force} re-issues everything with a new CA.
     *
     * @return every file of the set with whether it was created or kept
     */
    public static List<PkiFile> init(Path dir, boolean force) {
        return withLock(dir, () -> {
            List<PkiFile> files = new ArrayList<>();
            Optional<DevPki> existing = force ? Optional.empty() : loadIfValid(dir);
            DevPki pki;
            if (existing.isPresent()) {
                pki = existing.get();
                files.add(new PkiFile(dir.resolve("ca.p12"), PkiFile.Outcome.KEPT));
                files.add(new PkiFile(dir.resolve("ca.crt"), PkiFile.Outcome.KEPT));
                files.add(pki.ensureTrustStore());
                files.add(pki.ensureCrl());
            } else {
                pki = createCa(dir, "cxg-demo member CA");
                files.addAll(List.of(
                        new PkiFile(dir.resolve("ca.p12"), PkiFile.Outcome.CREATED),
                        new PkiFile(dir.resolve("ca.crt"), PkiFile.Outcome.CREATED),
                        new PkiFile(dir.resolve("truststore.p12"), PkiFile.Outcome.CREATED),
                        new PkiFile(dir.resolve("ca.crl"), PkiFile.Outcome.CREATED)));
            }
            for (Map.Entry<String, String> member : DEMO_MEMBERS.entrySet()) {
                String name = member.getKey();
                if (existing.isPresent() && pki.leafIsValid(name)) {
                    for (String suffix : List.of(".p12", ".crt", ".key")) {
                        files.add(new PkiFile(dir.resolve(name + suffix), PkiFile.Outcome.KEPT));
                    }
                } else {
                    files.addAll(pki.issueUnlocked(name, member.getValue()));
                }
            }
            return files;
        });
    }

    /** Opens an existing PKI directory (made by {@link #init}) to issue or revoke. */
    public static DevPki open(Path dir) {
        Path caP12 = dir.resolve("ca.p12");
        if (!Files.isRegularFile(caP12)) {
            throw new PkiException("no CA in " + dir + " (run: ./cxg pki init)");
        }
        try {
            KeyStore ks = loadKeyStore(caP12);
            PrivateKey key = (PrivateKey) ks.getKey(CA_ALIAS, PASSWORD.toCharArray());
            X509Certificate cert = (X509Certificate) ks.getCertificate(CA_ALIAS);
            if (key == null || cert == null) {
                throw new PkiException(caP12 + " has no entry '" + CA_ALIAS + "'");
            }
            return new DevPki(dir, key, cert);
        } catch (IOException | GeneralSecurityException e) {
            throw new PkiException("cannot read " + caP12 + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Makes an unrelated CA in {@code dir} (same file layout as {@link #init}) and one leaf {@code name} from
     * it, with the subject a demo member of that name would have, so it looks right but does not chain to
     * the member CA.
     */
    public static DevPki createForeignCa(Path dir, String name) {
        checkName(name);
        return withLock(dir, () -> {
            DevPki foreign = createCa(dir, "cxg foreign CA");
            foreign.issueUnlocked(name, DEMO_MEMBERS.getOrDefault(name, "agency"));
            return foreign;
        });
    }

    public Path dir() {
        return dir;
    }

    public X509Certificate caCertificate() {
        return caCert;
    }

    /** The PEM certificate of member {@code name}. */
    public X509Certificate certificate(String name) {
        checkName(name);
        Path crt = dir.resolve(name + ".crt");
        if (!Files.isRegularFile(crt)) {
            throw new PkiException("no certificate for member '" + name + "' in " + dir);
        }
        try {
            return Pem.readCertificate(crt);
        } catch (IOException | GeneralSecurityException e) {
            throw new PkiException("cannot read " + crt + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** The current CRL ({@code ca.crl}). */
    public X509CRL crl() {
        try {
            return Pem.readCrl(dir.resolve("ca.crl"));
        } catch (IOException | GeneralSecurityException e) {
            throw new PkiException("cannot read " + dir.resolve("ca.crl") + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** Issues (or re-issues) a leaf for {@code name} of {@code kind}; returns the three files written. */
    public List<PkiFile> issue(String name, String kind) {
        checkName(name);
        checkKind(kind);
        return withLock(dir, () -> issueUnlocked(name, kind));
    }

    /** Adds member {@code name}'s current certificate to the CRL and re-issues {@code ca.crl}. */
    public BigInteger revoke(String name) {
        X509Certificate cert = certificate(name);
        return withLock(dir, () -> {
            BigInteger serial = cert.getSerialNumber();
            writeCrl(serial, true);
            return serial;
        });
    }

    private List<PkiFile> issueUnlocked(String name, String kind) {
        try {
            KeyPair keys = newKeyPair();
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, newSerial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(LEAF_VALIDITY)),
                    x500(subjectOf(name, kind)), keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(caKey)));

            KeyStore ks = emptyKeyStore();
            ks.setKeyEntry(name, keys.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {cert, caCert});
            writeKeyStore(dir.resolve(name + ".p12"), ks);
            writeFile(dir.resolve(name + ".crt"), Pem.encode("CERTIFICATE", cert.getEncoded()), false);
            writeFile(dir.resolve(name + ".key"), Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
            return List.of(
                    new PkiFile(dir.resolve(name + ".p12"), PkiFile.Outcome.CREATED),
                    new PkiFile(dir.resolve(name + ".crt"), PkiFile.Outcome.CREATED),
                    new PkiFile(dir.resolve(name + ".key"), PkiFile.Outcome.CREATED));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("issuing a certificate for " + name + " failed", e);
        }
    }

    private static DevPki createCa(Path dir, String commonName) {
        try {
            createDirectory(dir);
            KeyPair keys = newKeyPair();
            Instant now = Instant.now();
            X500Name subject = x500("CN=" + commonName + ",O=" + ORGANISATION);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, newSerial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(keys.getPrivate())));

            KeyStore ks = emptyKeyStore();
            ks.setKeyEntry(CA_ALIAS, keys.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {cert});
            writeKeyStore(dir.resolve("ca.p12"), ks);
            writeFile(dir.resolve("ca.crt"), Pem.encode("CERTIFICATE", cert.getEncoded()), false);
            DevPki pki = new DevPki(dir, keys.getPrivate(), cert);
            pki.writeTrustStore();
            pki.writeCrl(null, false);
            return pki;
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("creating a CA in " + dir + " failed", e);
        }
    }

    /** The existing CA, if ca.p12 and ca.crt hold the same currently valid CA certificate. */
    private static Optional<DevPki> loadIfValid(Path dir) {
        if (!Files.isRegularFile(dir.resolve("ca.p12")) || !Files.isRegularFile(dir.resolve("ca.crt"))) {
            return Optional.empty();
        }
        try {
            DevPki pki = open(dir);
            X509Certificate pem = Pem.readCertificate(dir.resolve("ca.crt"));
            pki.caCert.checkValidity();
            pki.caCert.verify(pki.caCert.getPublicKey());
            if (!Arrays.equals(pem.getEncoded(), pki.caCert.getEncoded()) || pki.caCert.getBasicConstraints() < 0) {
                return Optional.empty();
            }
            return Optional.of(pki);
        } catch (PkiException | IOException | GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** True if N.p12, N.crt and N.key exist, agree, and hold a current certificate issued by this CA. */
    private boolean leafIsValid(String name) {
        Path p12 = dir.resolve(name + ".p12");
        Path crt = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        if (!Files.isRegularFile(p12) || !Files.isRegularFile(crt) || !Files.isRegularFile(key)) {
            return false;
        }
        try {
            KeyStore ks = loadKeyStore(p12);
            X509Certificate cert = (X509Certificate) ks.getCertificate(name);
            if (cert == null || ks.getKey(name, PASSWORD.toCharArray()) == null) {
                return false;
            }
            cert.verify(caCert.getPublicKey());
            cert.checkValidity();
            return Arrays.equals(cert.getEncoded(), Pem.readCertificate(crt).getEncoded());
        } catch (IOException | GeneralSecurityException e) {
            return false;
        }
    }

    private PkiFile ensureTrustStore() throws IOException, GeneralSecurityException {
        Path file = dir.resolve("truststore.p12");
        if (Files.isRegularFile(file)) {
            try {
                Certificate c = loadKeyStore(file).getCertificate(CA_ALIAS);
                if (c != null && Arrays.equals(c.getEncoded(), caCert.getEncoded())) {
                    return new PkiFile(file, PkiFile.Outcome.KEPT);
                }
            } catch (IOException | GeneralSecurityException e) {
                // unreadable: rewritten below
            }
        }
        writeTrustStore();
        return new PkiFile(file, PkiFile.Outcome.CREATED);
    }

    private PkiFile ensureCrl() throws IOException, GeneralSecurityException {
        Path file = dir.resolve("ca.crl");
        if (Files.isRegularFile(file)) {
            try {
                Pem.readCrl(file).verify(caCert.getPublicKey());
                return new PkiFile(file, PkiFile.Outcome.KEPT);
            } catch (IOException | GeneralSecurityException e) {
                // not ours or unreadable: rewritten below
            }
        }
        writeCrl(null, false);
        return new PkiFile(file, PkiFile.Outcome.CREATED);
    }

    private void writeTrustStore() throws IOException, GeneralSecurityException {
        KeyStore ks = emptyKeyStore();
        ks.setCertificateEntry(CA_ALIAS, caCert);
        writeKeyStore(dir.resolve("truststore.p12"), ks);
    }

    /** Writes ca.crl: the entries of the current one if {@code keepEntries}, plus {@code serial} if given. */
    private void writeCrl(BigInteger serial, boolean keepEntries) {
        try {
            Path file = dir.resolve("ca.crl");
            Instant now = Instant.now();
            X509v2CRLBuilder b = new JcaX509v2CRLBuilder(caCert, Date.from(now));
            b.setNextUpdate(Date.from(now.plus(CRL_VALIDITY)));
            BigInteger number = BigInteger.ONE;
            boolean listed = false;
            if (keepEntries && Files.isRegularFile(file)) {
                X509CRL previous = Pem.readCrl(file);
                previous.verify(caCert.getPublicKey());
                X509CRLHolder holder = new X509CRLHolder(previous.getEncoded());
                b.addCRL(holder);
                CRLNumber n = CRLNumber.getInstance(holder.getExtension(Extension.cRLNumber).getParsedValue());
                number = n.getCRLNumber().add(BigInteger.ONE);
                Set<? extends X509CRLEntry> entries = previous.getRevokedCertificates();
                listed = serial != null && entries != null
                        && entries.stream().anyMatch(e -> e.getSerialNumber().equals(serial));
            }
            if (serial != null && !listed) {
                b.addCRLEntry(serial, Date.from(now), 0);
            }
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(caCert));
            X509CRL crl = new JcaX509CRLConverter().getCRL(b.build(signer(caKey)));
            writeFile(file, Pem.encode("X509 CRL", crl.getEncoded()), false);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("writing the CRL in " + dir + " failed", e);
        }
    }

    /** Parsed the JDK way, so getSubjectX500Principal().getName() gives back exactly {@code dn}. */
    private static X500Name x500(String dn) {
        return X500Name.getInstance(new X500Principal(dn).getEncoded());
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger newSerial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder(SIGNATURE).build(key);
    }

    private static KeyStore emptyKeyStore() throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        return ks;
    }

    private static KeyStore loadKeyStore(Path file) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static void writeKeyStore(Path file, KeyStore ks) throws IOException, GeneralSecurityException {
        Path tmp = tempFile(file, true);
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
            ks.store(out, PASSWORD.toCharArray());
        }
        replace(tmp, file);
    }

    private static void writeFile(Path file, String content, boolean secret) throws IOException {
        Path tmp = tempFile(file, secret);
        Files.writeString(tmp, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        replace(tmp, file);
    }

    /** Files are written beside their target and moved into place, so readers never see half a file. */
    private static Path tempFile(Path file, boolean secret) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (secret && posix()) {
            return Files.createTempFile(parent, "." + file.getFileName(), ".tmp", OWNER_ONLY);
        }
        return Files.createTempFile(parent, "." + file.getFileName(), ".tmp", posix() ? PUBLIC : new FileAttribute<?>[0]);
    }

    private static void replace(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            if (posix()) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new PkiException("invalid member name '" + name + "': use lower-case letters, digits and '-'");
        }
    }

    private static void checkKind(String kind) {
        if (kind == null || !KINDS.contains(kind)) {
            throw new PkiException("invalid kind '" + kind + "': expected one of gateway, agency, platform, auditor, service");
        }
    }

    private interface Action<T> {
        T run() throws IOException, GeneralSecurityException;
    }

    /** Serialises writers of one directory across processes (e.g. tests and a running demo). */
    private static <T> T withLock(Path dir, Action<T> action) {
        try {
            createDirectory(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return action.run();
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("PKI operation in " + dir + " failed", e);
        }
    }
}
