/**
 * The client side of authorization: the {@link dev.switchboard.common.auth.Action} a caller asks for, tokens for a
 * process's own client ({@link dev.switchboard.common.auth.TokenSource}) and decisions asked of the auth group and
 * remembered ({@link dev.switchboard.common.auth.CachingAuthorizer}).
 */
@NullMarked
package dev.switchboard.common.auth;

import org.jspecify.annotations.NullMarked;
