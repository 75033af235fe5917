package dev.switchboard.client.connection;

/**
 * A snapshot of the connections of one service since the manager started. Each value is read on its own, so under
 * concurrent opening and closing they may be a few events apart from one another.
 *
 * @param live the connections open now (including ones being opened)
 * @param peak the most connections open at once
 * @param opened the connections opened
 * @param closed the connections closed
 * @param calls the calls started on its connections, closed ones included
 */
public record ServiceStatistics(int live, int peak, long opened, long closed, long calls) {

	/** The statistics of a service that never had a connection. */
	public static final ServiceStatistics NONE = new ServiceStatistics(0, 0, 0, 0, 0);

}
