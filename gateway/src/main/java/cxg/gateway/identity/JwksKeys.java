package cxg.gateway.identity;

import java.io.StringReader;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

/**
 * The realm's signing keys by key id, fetched from its JWKS and cached. A token signed with a key id
 * not in the cache triggers a re-fetch (the realm rotated its keys); after a re-fetch that did not
 * find the key id, further re-fetches wait {@code minRefetchInterval}, so tokens with made-up key ids
 * cannot hammer Keycloak. If Keycloak is unreachable the cached keys stay in use.
 */
public final class JwksKeys {

    /** Fetches the JWKS document (JSON); throws if the key server cannot be reached. */
    @FunctionalInterface
    public interface Source {
        String fetch() throws Exception;
    }

    private final Source source;
    private final Clock clock;
    private final Duration minRefetchInterval;
    private volatile Map<String, PublicKey> keys = Map.of();
    private Instant lastMiss = Instant.MIN;

    public JwksKeys(Source source, Clock clock, Duration minRefetchInterval) {
        this.source = source;
        this.clock = clock;
        this.minRefetchInterval = minRefetchInterval;
    }

    /** The signing key {@code kid}, re-fetching the JWKS if it is unknown. */
    public Optional<PublicKey> key(String kid) {
        PublicKey key = keys.get(kid);
        return key != null ? Optional.of(key) : refetchFor(kid);
    }

    /**
     * Whether {@code key} is still the realm's key {@code kid} in the key set as last fetched, without
     * fetching: a token verified earlier stops being trusted once a re-fetch no longer lists its key.
     */
    public boolean stillHas(String kid, PublicKey key) {
        return key.equals(keys.get(kid));
    }

    private synchronized Optional<PublicKey> refetchFor(String kid) {
        PublicKey key = keys.get(kid);
        if (key != null) {
            return Optional.of(key);
        }
        Instant now = clock.instant();
        if (lastMiss != Instant.MIN && now.isBefore(lastMiss.plus(minRefetchInterval))) {
            return Optional.empty();
        }
        try {
            keys = parse(source.fetch());
        } catch (Exception e) {
            // Keycloak down or a bad answer: keep the keys we have; tokens signed with them still verify.
        }
        key = keys.get(kid);
        if (key == null) {
            lastMiss = now;
        }
        return Optional.ofNullable(key);
    }

    static Map<String, PublicKey> parse(String jwks) throws GeneralSecurityException {
        Map<String, PublicKey> out = new HashMap<>();
        JsonObject doc;
        try (JsonReader r = Json.createReader(new StringReader(jwks))) {
            doc = r.readObject();
        }
        for (JsonValue v : doc.getJsonArray("keys")) {
            JsonObject k = v.asJsonObject();
            String use = k.getString("use", "sig");
            if (!"sig".equals(use) || !k.containsKey("kid")) {
                continue;
            }
            switch (k.getString("kty", "")) {
                case "RSA" -> out.put(k.getString("kid"), KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(uint(k.getString("n")), uint(k.getString("e")))));
                case "EC" -> out.put(k.getString("kid"), ecKey(k));
                default -> { }
            }
        }
        return Map.copyOf(out);
    }

    private static PublicKey ecKey(JsonObject k) throws GeneralSecurityException {
        String curve = switch (k.getString("crv", "")) {
            case "P-256" -> "secp256r1";
            case "P-384" -> "secp384r1";
            case "P-521" -> "secp521r1";
            default -> throw new GeneralSecurityException("unsupported curve");
        };
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec(curve));
        ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
        ECPoint point = new ECPoint(uint(k.getString("x")), uint(k.getString("y")));
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
    }

    private static BigInteger uint(String base64url) {
        return new BigInteger(1, Base64.getUrlDecoder().decode(base64url));
    }
}
