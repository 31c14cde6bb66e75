package io.ckpt.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ckpt.core.DumpMode;
import io.ckpt.core.Engine;
import io.ckpt.core.EngineException;
import io.ckpt.core.ProgramOutput.Stream;
import io.ckpt.core.RestartedProgram;
import io.ckpt.core.tests.util.TestPrograms;

/**
 * Restart through the Java API: a separate engine process ({@code ckpt restart --stopped}) that
 * leaves the program stopped for a debugger, real gdb attaching to it, and the program's output
 * arriving through the engine's pipes once it runs again.
 */
class RestartTest {

	@TempDir
	static Path dir;

	private static Path exe;
	private static Path statefile;
	private RestartedProgram restarted;

	@BeforeAll
	static void saveARealProgram() throws Exception {
		exe = TestPrograms.compileLoop(dir);
		// Output on a pipe to this JVM: outside the tree, so restart rebinds it to its own pipes.
		Process program = TestPrograms.startLoopPiped(exe, 1);
		statefile = dir.resolve("piped.ckpt"); //$NON-NLS-1$
		Engine.dump(program.pid(), statefile, DumpMode.KILL, null);
		program.waitFor(10, TimeUnit.SECONDS);
		assertFalse(program.isAlive(), "--kill left the program running"); //$NON-NLS-1$
	}

	@AfterEach
	void kill() {
		if (restarted != null) {
			restarted.kill();
		}
	}

	@Test
	void restartLeavesTheProgramStoppedForADebugger() throws Exception {
		restarted = Engine.restartStopped(statefile, new NullProgressMonitor());
		assertTrue(restarted.pid() > 0);
		assertEquals(2, restarted.threads());
		assertEquals(1, restarted.processes());
		assertTrue(restarted.isAlive());
		assertEquals('T', TestPrograms.state(restarted.pid()), "not in group-stop"); //$NON-NLS-1$

		String bt = TestPrograms.run(dir, 60, "gdb", "-nx", "-q", "-batch", "-p", Integer.toString(restarted.pid()), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
				"-ex", "thread apply all bt"); //$NON-NLS-1$ //$NON-NLS-2$
		assertTrue(bt.contains(" work (seed=6"), bt); //$NON-NLS-1$
		assertTrue(bt.contains("loop.c:"), bt); //$NON-NLS-1$
		assertTrue(bt.contains(" spin ("), bt); //$NON-NLS-1$
	}

	@Test
	void outputOfTheRestartedProgramIsDrained() throws Exception {
		restarted = Engine.restartStopped(statefile, new NullProgressMonitor());
		// Let it run: it prints a round every 200 ms to what was its pipe, now the engine's.
		TestPrograms.run(dir, 10, "kill", "-CONT", Integer.toString(restarted.pid())); //$NON-NLS-1$ //$NON-NLS-2$
		long deadline = System.currentTimeMillis() + 10_000;
		while (System.currentTimeMillis() < deadline && count(restarted.output().text(Stream.STDOUT), "round ") < 5) { //$NON-NLS-1$
			Thread.sleep(50);
		}
		String out = restarted.output().text(Stream.STDOUT);
		assertTrue(count(out, "round ") >= 5, "the restarted program's output did not arrive: " + out); //$NON-NLS-1$ //$NON-NLS-2$
		assertFalse(out.contains("\"pid\""), "the engine's answer leaked into the program's output"); //$NON-NLS-1$ //$NON-NLS-2$
		assertFalse(restarted.output().isClosed());
		restarted.kill();
		assertTrue(restarted.output().awaitClosed(10, TimeUnit.SECONDS), "the pipes did not close when the program died"); //$NON-NLS-1$
	}

	@Test
	void restartingTwiceGivesTheSameStateEachTime() throws Exception {
		for (int i = 0; i < 2; i++) {
			restarted = Engine.restartStopped(statefile, null);
			String regs = TestPrograms.run(dir, 60, "gdb", "-nx", "-q", "-batch", "-p", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$
					Integer.toString(restarted.pid()), "-ex", "thread 1", "-ex", "frame function work", "-ex", "info locals"); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$
			assertTrue(regs.contains("total = "), regs); //$NON-NLS-1$
			restarted.kill();
			restarted = null;
		}
	}

	@Test
	void cancelledRestartStartsNothing() {
		NullProgressMonitor monitor = new NullProgressMonitor();
		monitor.setCanceled(true);
		assertThrows(OperationCanceledException.class, () -> Engine.restartStopped(statefile, monitor));
	}

	@Test
	void brokenStatefileGivesTheEnginesReason() throws Exception {
		Path broken = Files.writeString(dir.resolve("broken.ckpt"), "nothing to restart here"); //$NON-NLS-1$ //$NON-NLS-2$
		EngineException e = assertThrows(EngineException.class, () -> Engine.restartStopped(broken, null));
		StatefileTest.assertOneLine(e);
	}

	@Test
	void theEngineProcessIsTheCommandNextToTheLibrary() {
		assertTrue(Files.isExecutable(Engine.executable()));
		assertEquals(List.of("bin", "ckpt"), List.of(Engine.executable().getParent().getFileName().toString(), //$NON-NLS-1$ //$NON-NLS-2$
				Engine.executable().getFileName().toString()));
	}

	private static int count(String text, String what) {
		int n = 0;
		for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
			n++;
		}
		return n;
	}
}
