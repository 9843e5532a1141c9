package cxg.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The load tool only ever sends traffic to this machine: a target must be {@code host:port} whose
 * host resolves to loopback addresses only. The returned address is the one connected to, so a
 * later re-resolution cannot redirect the traffic.
 */
public final class LoopbackGuard {

    private LoopbackGuard() {
    }

    /**
     * @param option the command-line option the value came from, named in the error
     * @throws BenchInputException for a malformed value or a host that is not loopback
     */
    public static InetSocketAddress requireLoopback(String option, String hostPort) {
        if (hostPort == null || hostPort.isBlank()) {
            throw new BenchInputException(option + ": missing; expected host:port, e.g. 127.0.0.1:7443");
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new BenchInputException(option + ": '" + hostPort + "' is not host:port");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new BenchInputException(option + ": port must be 1-65535 in '" + hostPort + "'");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new BenchInputException(option + ": cannot resolve host '" + host + "'");
        }
        for (InetAddress a : addresses) {
            if (!a.isLoopbackAddress()) {
                throw new BenchInputException(option + ": " + host + " (" + a.getHostAddress()
                        + ") is not a loopback address; the load tool only sends traffic to 127.0.0.1, ::1 or localhost");
            }
        }
        return new InetSocketAddress(addresses[0], port);
    }
}
