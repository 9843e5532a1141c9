package cxg.agency.gateway;

import java.util.Optional;

/** A gateway address {@code host:port} (IPv6 literals in brackets, e.g. {@code [::1]:7443}). */
public record GatewayEndpoint(String host, int port) {

    public static Optional<GatewayEndpoint> parse(String address) {
        if (address == null) {
            return Optional.empty();
        }
        String text = address.strip();
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            return Optional.empty();
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || host.contains(":") && !text.startsWith("[")) {
            return Optional.empty();
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            return port > 0 && port < 65536 ? Optional.of(new GatewayEndpoint(host, port)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
