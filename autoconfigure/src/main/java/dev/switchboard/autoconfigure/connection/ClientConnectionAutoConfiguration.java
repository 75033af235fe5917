package dev.switchboard.autoconfigure.connection;

import java.time.Clock;

import dev.switchboard.client.connection.ChannelFactory;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ClientConnectionMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The process's {@link ClientConnectionManager}, configured from {@code switchboard.grpc.*}, with its
 * {@code grpcclients} actuator endpoint and its Micrometer meters when those are available. A {@link ChannelFactory}
 * bean, if defined, replaces the gRPC default. Off with {@code switchboard.grpc.manager.enabled=false}.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "switchboard.grpc.manager.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ClientConnectionProperties.class)
public final class ClientConnectionAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	ClientConnectionManager clientConnectionManager(ClientConnectionProperties properties,
			ObjectProvider<ChannelFactory> channelFactory) {
		return new ClientConnectionManager(properties.toSettings(), channelFactory.getIfAvailable(ChannelFactory::grpc),
				Clock.systemUTC());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
	static final class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnAvailableEndpoint
		ClientConnectionsEndpoint clientConnectionsEndpoint(ClientConnectionManager manager) {
			return new ClientConnectionsEndpoint(manager);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	static final class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ClientConnectionMetrics clientConnectionMetrics(ClientConnectionManager manager) {
			return new ClientConnectionMetrics(manager);
		}

	}

}
