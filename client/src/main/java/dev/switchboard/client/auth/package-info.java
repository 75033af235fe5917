/**
 * The client side of authorization: the {@link dev.switchboard.client.auth.Action} a caller asks for, tokens for a
 * process's own client ({@link dev.switchboard.client.auth.TokenSource}) and decisions asked of the auth group and
 * remembered ({@link dev.switchboard.client.auth.CachingAuthorizer}).
 */
@NullMarked
package dev.switchboard.client.auth;

import org.jspecify.annotations.NullMarked;
