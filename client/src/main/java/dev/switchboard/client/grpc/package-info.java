/**
 * What every service and client of the platform shares about gRPC: the one error model ({@link
 * dev.switchboard.client.grpc.RefusalException}, {@link dev.switchboard.client.grpc.ServiceExceptionHandler}), the
 * platform's metadata keys, retry backoff and paced server streams.
 */
@NullMarked
package dev.switchboard.client.grpc;

import org.jspecify.annotations.NullMarked;
