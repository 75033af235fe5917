/**
 * How an instance's actuator health becomes the status it reports to the registry.
 */
@NullMarked
package dev.switchboard.client.health;

import org.jspecify.annotations.NullMarked;
