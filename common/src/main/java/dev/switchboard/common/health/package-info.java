/**
 * How an instance's actuator health becomes the status it reports to the registry.
 */
@NullMarked
package dev.switchboard.common.health;

import org.jspecify.annotations.NullMarked;
