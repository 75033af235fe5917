package dev.switchboard.router.proxy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryBudgetTests {

	@Test
	void whenSavedUpTokensSpentThenRetriesWaitForCalls() {
		RetryBudget budget = new RetryBudget(0.2, 3);
		assertThat(budget.tryRetry()).isTrue();
		assertThat(budget.tryRetry()).isTrue();
		assertThat(budget.tryRetry()).isTrue();
		assertThat(budget.tryRetry()).isFalse();
		for (int i = 0; i < 4; i++) {
			budget.onCall();
		}
		assertThat(budget.tryRetry()).isFalse();
		budget.onCall();
		assertThat(budget.tryRetry()).isTrue();
	}

	@Test
	void whenManyCallsThenBalanceCapped() {
		RetryBudget budget = new RetryBudget(1.0, 2);
		for (int i = 0; i < 100; i++) {
			budget.onCall();
		}
		assertThat(budget.tryRetry()).isTrue();
		assertThat(budget.tryRetry()).isTrue();
		assertThat(budget.tryRetry()).isFalse();
	}

}
