package cxg.gateway.fanout;

import io.grpc.Channel;

/** Gives the channel to a platform's scorer connector; implementations cache one per target. */
@FunctionalInterface
public interface ScorerChannels {
    Channel channel(ScorerTarget target);
}
