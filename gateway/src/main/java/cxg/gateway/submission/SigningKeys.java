package cxg.gateway.submission;

import cxg.gateway.policy.Member;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * The Ed25519 key a platform signs its submissions with. The key registered in
 * {@code policies/members.yaml} ({@code signingKey.publicKey}) wins; a member without one
 * falls back to {@code <pki dir>/<member>.ed25519.pub} (PEM), the dev PKI's generated key,
 * so that committed policy files need not carry keys generated per installation.
 */
public final class SigningKeys {

    private record Cached(FileTime modified, Ed25519PublicKeyParameters key) {
    }

    private final Path pkiDir;
    private final Map<String, Cached> files = new ConcurrentHashMap<>();
    private final Map<String, Ed25519PublicKeyParameters> registered = new ConcurrentHashMap<>();

    public SigningKeys(Path pkiDir) {
        this.pkiDir = pkiDir;
    }

    public static Path publicKeyFile(Path pkiDir, String member) {
        return pkiDir.resolve(member + ".ed25519.pub");
    }

    public Optional<Ed25519PublicKeyParameters> keyOf(Member member) {
        Optional<String> inPolicy = member.signingKey();
        if (inPolicy.isPresent()) {
            return Optional.ofNullable(registered.computeIfAbsent(inPolicy.get(), SigningKeys::parseBase64));
        }
        if (pkiDir == null) {
            return Optional.empty();
        }
        Path file = publicKeyFile(pkiDir, member.id());
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            FileTime modified = Files.getLastModifiedTime(file);
            Cached cached = files.get(member.id());
            if (cached == null || !cached.modified().equals(modified)) {
                cached = new Cached(modified, parse(fromPem(Files.readString(file))));
                files.put(member.id(), cached);
            }
            return Optional.ofNullable(cached.key());
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The DER bytes inside a PEM block such as {@code -----BEGIN PUBLIC KEY-----}. */
    static byte[] fromPem(String pem) {
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static Ed25519PublicKeyParameters parseBase64(String subjectPublicKeyInfo) {
        try {
            return parse(Base64.getDecoder().decode(subjectPublicKeyInfo));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Ed25519PublicKeyParameters parse(byte[] subjectPublicKeyInfo) {
        try {
            AsymmetricKeyParameter key = PublicKeyFactory.createKey(subjectPublicKeyInfo);
            return key instanceof Ed25519PublicKeyParameters ed ? ed : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
