package dev.switchboard.auth.database;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every test of the class once per {@link TestDatabase#all() database}: embedded H2 always, PostgreSQL when
 * one can be had (see {@link TestDatabase}). The class takes the {@link TestDatabase} as its constructor argument and
 * calls {@link TestDatabase#prepare()} before each test; JUnit closes it (a fresh schema per class) afterwards.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ParameterizedClass(name = "{0}")
@MethodSource("dev.switchboard.auth.database.TestDatabase#all")
public @interface DatabaseTest {

}
