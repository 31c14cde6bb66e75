package io.ckpt.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Whether a statefile can restart on this machine, item by item, as {@code ckpt check} reports
 * it ({@link Engine#check(Path)}). {@code ckpt restart} runs the same checks and refuses on the
 * first problem, in the same words. Immutable.
 *
 * @param statefile   the statefile checked
 * @param restartable whether restart can work here: no item is a problem
 * @param problems    how many items are problems
 * @param checks      every item, in the engine's order (mapped files, CPU, vDSO, kernel, working
 *                    directories, open files, user)
 */
public record PortabilityReport(Path statefile, boolean restartable, int problems, List<PortabilityCheck> checks) {

	public PortabilityReport {
		checks = List.copyOf(checks);
	}

	/** The items that are problems, in order. */
	public List<PortabilityCheck> problemChecks() {
		return checks.stream().filter(PortabilityCheck::isProblem).toList();
	}

	/** The first problem: the one {@code ckpt restart} would refuse with. */
	public Optional<PortabilityCheck> firstProblem() {
		return checks.stream().filter(PortabilityCheck::isProblem).findFirst();
	}
}
