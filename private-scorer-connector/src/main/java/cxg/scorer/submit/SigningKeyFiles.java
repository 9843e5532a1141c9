package cxg.scorer.submit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/**
 * The platform's Ed25519 signing key in the dev PKI directory: {@code <platform>.ed25519}
 * (PKCS#8 PEM, mode 600) and {@code <platform>.ed25519.pub} (X.509 SubjectPublicKeyInfo PEM),
 * which the gateway reads when policy registers no key for the platform.
 */
final class SigningKeyFiles {

    private SigningKeyFiles() {
    }

    static Path privateKeyFile(Path pkiDir, String platform) {
        return pkiDir.resolve(platform + ".ed25519");
    }

    static Path publicKeyFile(Path pkiDir, String platform) {
        return pkiDir.resolve(platform + ".ed25519.pub");
    }

    static Ed25519PrivateKeyParameters load(Path pkiDir, String platform) throws IOException {
        String pem = Files.readString(privateKeyFile(pkiDir, platform));
        byte[] der = Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        if (PrivateKeyFactory.createKey(der) instanceof Ed25519PrivateKeyParameters key) {
            return key;
        }
        throw new IOException(privateKeyFile(pkiDir, platform) + " is not an Ed25519 private key");
    }

    /** Creates the key pair; the private key file is written with mode 600 before any key byte goes in. */
    static Ed25519PrivateKeyParameters generate(Path pkiDir, String platform) throws IOException {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        Ed25519PrivateKeyParameters key = (Ed25519PrivateKeyParameters) pair.getPrivate();
        Path privateFile = privateKeyFile(pkiDir, platform);
        Files.createDirectories(pkiDir);
        Files.deleteIfExists(privateFile);
        Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(privateFile, pem("PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded()));
        Files.writeString(publicKeyFile(pkiDir, platform), pem("PUBLIC KEY",
                SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key.generatePublicKey()).getEncoded()));
        return key;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
