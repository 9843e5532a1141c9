package cxg.gateway.identity;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * Checks the bearer token of one call, locally: signature against the realm's keys ({@link JwksKeys}),
 * issuer, lifetime, audience, and that the token is bound (RFC 8705 {@code cnf.x5t#S256}) to the very
 * certificate that made the TLS connection and was issued to the member that certificate belongs to.
 * Plain Java; the gRPC interceptor maps a refusal to {@code UNAUTHENTICATED}.
 */
public final class TokenVerifier {

    private static final String BEARER = "Bearer ";

    private final String issuer;
    private final String audience;
    private final JwksKeys keys;
    private final Clock clock;
    private final Duration leeway;

    public TokenVerifier(String issuer, String audience, JwksKeys keys, Clock clock, Duration leeway) {
        this.issuer = issuer;
        this.audience = audience;
        this.keys = keys;
        this.clock = clock;
        this.leeway = leeway;
    }

    /**
     * @param authorization the {@code authorization} header of the call (may be null)
     * @param peer          the verified TLS client certificate of the connection
     * @param memberId      the member that certificate belongs to
     */
    public TokenCheck verify(String authorization, X509Certificate peer, String memberId) {
        if (authorization == null || authorization.isBlank()) {
            return TokenCheck.refused("no bearer token (send header authorization: Bearer <token from realm cxg>)");
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return TokenCheck.refused("authorization header is not a bearer token");
        }
        String[] parts = authorization.substring(BEARER.length()).trim().split("\\.", -1);
        if (parts.length != 3) {
            return TokenCheck.refused("bearer token is not a signed JWT");
        }
        JsonObject header;
        JsonObject claims;
        byte[] signature;
        try {
            header = json(parts[0]);
            claims = json(parts[1]);
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException | JsonException | ClassCastException e) {
            return TokenCheck.refused("bearer token is not a signed JWT");
        }

        Optional<String> signatureProblem = checkSignature(header, parts[0] + "." + parts[1], signature);
        if (signatureProblem.isPresent()) {
            return TokenCheck.refused(signatureProblem.get());
        }
        if (!issuer.equals(string(claims, "iss"))) {
            return TokenCheck.refused("token was not issued by realm cxg");
        }
        Instant now = clock.instant();
        Optional<Instant> exp = instant(claims, "exp");
        if (exp.isEmpty()) {
            return TokenCheck.refused("token has no expiry");
        }
        if (!now.isBefore(exp.get().plus(leeway))) {
            return TokenCheck.refused("token expired");
        }
        Optional<Instant> nbf = instant(claims, "nbf");
        if (nbf.isPresent() && now.plus(leeway).isBefore(nbf.get())) {
            return TokenCheck.refused("token is not valid yet");
        }
        if (!strings(claims.get("aud")).contains(audience)) {
            return TokenCheck.refused("token is not meant for audience " + audience);
        }
        String bound = claims.containsKey("cnf") && claims.get("cnf").getValueType() == JsonValue.ValueType.OBJECT
                ? string(claims.getJsonObject("cnf"), "x5t#S256") : null;
        if (bound == null) {
            return TokenCheck.refused("token is not bound to a certificate (request it over mutual TLS)");
        }
        if (!MessageDigest.isEqual(bound.getBytes(StandardCharsets.US_ASCII),
                thumbprint(peer).getBytes(StandardCharsets.US_ASCII))) {
            return TokenCheck.refused("token is bound to another certificate");
        }
        String client = string(claims, "azp");
        if (!memberId.equals(client)) {
            return TokenCheck.refused("token was issued to client " + (client == null ? "(none)" : client)
                    + ", not to member " + memberId);
        }
        Set<String> roles = claims.containsKey("realm_access")
                && claims.get("realm_access").getValueType() == JsonValue.ValueType.OBJECT
                ? strings(claims.getJsonObject("realm_access").get("roles")) : Set.of();
        return TokenCheck.accepted(new VerifiedToken(client, roles, exp.get()));
    }

    /** RFC 8705 certificate thumbprint: base64url (no padding) of the SHA-256 of the certificate's DER. */
    public static String thumbprint(X509Certificate cert) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 over a certificate failed", e);
        }
    }

    private Optional<String> checkSignature(JsonObject header, String signedPart, byte[] signature) {
        String alg = string(header, "alg");
        String jcaAlg = alg == null ? null : switch (alg) {
            case "RS256" -> "SHA256withRSA";
            case "RS384" -> "SHA384withRSA";
            case "RS512" -> "SHA512withRSA";
            case "ES256" -> "SHA256withECDSAinP1363Format";
            case "ES384" -> "SHA384withECDSAinP1363Format";
            case "ES512" -> "SHA512withECDSAinP1363Format";
            default -> null;
        };
        if (jcaAlg == null) {
            return Optional.of("token signature algorithm " + (alg == null ? "(none)" : alg) + " is not accepted");
        }
        String kid = string(header, "kid");
        Optional<PublicKey> key = kid == null ? Optional.empty() : keys.key(kid);
        if (key.isEmpty()) {
            return Optional.of("token is signed with a key realm cxg does not have");
        }
        try {
            Signature verifier = Signature.getInstance(jcaAlg);
            verifier.initVerify(key.get());
            verifier.update(signedPart.getBytes(StandardCharsets.US_ASCII));
            if (verifier.verify(signature)) {
                return Optional.empty();
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // wrong key type for the algorithm, malformed signature: same answer as a bad signature
        }
        return Optional.of("token signature is invalid");
    }

    private static JsonObject json(String base64url) {
        try (JsonReader r = Json.createReader(new StringReader(
                new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8)))) {
            return r.readObject();
        }
    }

    private static String string(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v instanceof JsonString s ? s.getString() : null;
    }

    private static Optional<Instant> instant(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v != null && v.getValueType() == JsonValue.ValueType.NUMBER
                ? Optional.of(Instant.ofEpochSecond(o.getJsonNumber(name).longValue())) : Optional.empty();
    }

    /** A claim that is a string or an array of strings, as a set. */
    private static Set<String> strings(JsonValue v) {
        Set<String> out = new HashSet<>();
        if (v instanceof JsonString s) {
            out.add(s.getString());
        } else if (v instanceof JsonArray a) {
            for (JsonValue item : a) {
                if (item instanceof JsonString s) {
                    out.add(s.getString());
                }
            }
        }
        return out;
    }
}
