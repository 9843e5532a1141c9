package cxg.gateway.fanout;

import io.grpc.Channel;

/** Gives the channel to a scorer connector's endpoint; implementations cache one per endpoint. */
@FunctionalInterface
public interface ScorerChannels {
    Channel channel(String endpoint);
}
