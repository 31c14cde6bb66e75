package io.ckpt.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ckpt.core.DumpMode;
import io.ckpt.core.Engine;
import io.ckpt.core.ProgramOutput;
import io.ckpt.core.internal.EngineAnswers;
import io.ckpt.core.internal.EngineProcess;
import io.ckpt.core.internal.JsonMapping;
import io.ckpt.core.tests.util.TestPrograms;

/**
 * The engine's {@code ckpt} command as a separate process: a cancelled one leaves nothing behind,
 * neither a process nor a file, and a program it works on goes on as it was.
 */
class EngineProcessTest {

	/** A program with a heap big enough that its dump is still running when the cancel arrives. */
	private static final String HEAP_C = """
			#include <stdio.h>
			#include <stdlib.h>
			#include <unistd.h>

			int main(int argc, char **argv)
			{
				size_t size = (size_t)atoi(argv[1]) << 20;
				char *heap = malloc(size);
				for (size_t i = 0; i < size; i += 4096)
					heap[i] = 1; /* no page is all zeros, so every page is written */
				for (unsigned round = 0;; round++) {
					printf("round %u\\n", round);
					fflush(stdout);
					usleep(100000);
				}
			}
			""";

	@TempDir
	static Path dir;

	private static Path statefile;
	private Process heapProgram;
	private long restartedPid;

	@BeforeAll
	static void saveARealProgram() throws Exception {
		Path exe = TestPrograms.compileLoop(dir);
		Process program = TestPrograms.startLoopPiped(exe, 1);
		statefile = dir.resolve("foreground.ckpt"); //$NON-NLS-1$
		Engine.dump(program.pid(), statefile, DumpMode.KILL, null);
		program.waitFor(10, TimeUnit.SECONDS);
	}

	@AfterEach
	void killWhatIsLeft() {
		if (heapProgram != null) {
			heapProgram.destroyForcibly();
		}
		if (restartedPid > 0) {
			TestPrograms.kill(restartedPid);
		}
	}

	@Test
	void cancellingAForegroundRestartEndsTheEngineAndTheProgram() throws Exception {
		// In the foreground the engine lives as long as the program: a command that runs until cancelled.
		EngineProcess p = EngineProcess.start(Engine.executable(), List.of("restart", statefile.toString(), "--json")); //$NON-NLS-1$ //$NON-NLS-2$
		String answer = p.firstLine(30_000);
		assertNotNull(answer, "no answer from ckpt restart: " + p.errors()); //$NON-NLS-1$
		restartedPid = JsonMapping.read(answer, EngineAnswers.Restart.class).pid();
		assertTrue(restartedPid > 0, answer);
		waitFor(() -> p.output().text(ProgramOutput.Stream.STDOUT).contains("round "), //$NON-NLS-1$
				"the restarted program's output did not arrive"); //$NON-NLS-1$
		assertTrue(p.isAlive());

		NullProgressMonitor cancelled = new NullProgressMonitor();
		cancelled.setCanceled(true);
		assertThrows(OperationCanceledException.class, () -> p.waitFor(cancelled));
		assertFalse(p.isAlive(), "the engine process outlived its cancel"); //$NON-NLS-1$
		// The program, its keeper and the engine held the pipes: all of them are gone.
		assertTrue(p.output().awaitClosed(10, TimeUnit.SECONDS), "something still holds the engine's pipes"); //$NON-NLS-1$
		waitFor(() -> !running(restartedPid), "the restarted program outlived the cancel"); //$NON-NLS-1$
		assertNoEngineProcessLeft();
	}

	@Test
	void cancellingADumpLeavesTheProgramRunningAndNoFile() throws Exception {
		Path source = Files.writeString(dir.resolve("heap.c"), HEAP_C); //$NON-NLS-1$
		Path exe = dir.resolve("heap"); //$NON-NLS-1$
		TestPrograms.run(dir, 120, "gcc", "-O0", "-o", exe.toString(), source.toString()); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		Path printed = dir.resolve("heap.out"); //$NON-NLS-1$
		heapProgram = new ProcessBuilder(exe.toString(), "512").redirectErrorStream(true).redirectOutput(printed.toFile()) //$NON-NLS-1$
				.start();
		waitFor(() -> rounds(printed) > 0, "the heap program did not start"); //$NON-NLS-1$

		Path target = Files.createDirectories(dir.resolve("cancelled")); //$NON-NLS-1$
		NullProgressMonitor monitor = new NullProgressMonitor();
		// Cancel as soon as the engine has begun: its temporary file is there.
		Thread canceller = new Thread(() -> {
			while (!monitor.isCanceled() && !Thread.currentThread().isInterrupted()) {
				if (!list(target).isEmpty()) {
					monitor.setCanceled(true);
				}
				Thread.onSpinWait();
			}
		}, "cancel the dump"); //$NON-NLS-1$
		canceller.setDaemon(true);
		canceller.start();
		try {
			assertThrows(OperationCanceledException.class,
					() -> Engine.dump(heapProgram.pid(), target.resolve("heap.ckpt"), DumpMode.LEAVE_RUNNING, monitor)); //$NON-NLS-1$
		} finally {
			canceller.interrupt();
		}

		assertEquals(List.of(), list(target), "the cancelled dump left files"); //$NON-NLS-1$
		assertNoEngineProcessLeft();
		// The program goes on as before: not left stopped, and still printing.
		char state = TestPrograms.state(heapProgram.pid());
		assertNotEquals('T', state);
		assertNotEquals('t', state);
		int before = rounds(printed);
		waitFor(() -> rounds(printed) > before + 2, "the program does not run on after the cancelled dump"); //$NON-NLS-1$
	}

	/** No {@code ckpt} command runs under this JVM any more. */
	private static void assertNoEngineProcessLeft() {
		Path cli = Engine.executable();
		List<ProcessHandle> left = ProcessHandle.current().descendants()
				.filter(h -> h.info().command().map(c -> Path.of(c).equals(cli)).orElse(false)).toList();
		assertEquals(List.of(), left, "engine processes left behind"); //$NON-NLS-1$
	}

	private static boolean running(long pid) {
		char state = TestPrograms.state(pid);
		return state != 0 && state != 'Z' && state != 'X';
	}

	private static List<Path> list(Path directory) {
		try (Stream<Path> files = Files.list(directory)) {
			return files.toList();
		} catch (IOException e) {
			return List.of();
		}
	}

	private static int rounds(Path printed) {
		try {
			return (int) Files.readAllLines(printed).stream().filter(l -> l.startsWith("round ")).count(); //$NON-NLS-1$
		} catch (IOException e) {
			return 0;
		}
	}

	private static void waitFor(BooleanSupplier condition, String message) throws InterruptedException {
		long deadline = System.currentTimeMillis() + 15_000;
		while (!condition.getAsBoolean()) {
			if (System.currentTimeMillis() > deadline) {
				throw new AssertionError(message);
			}
			Thread.sleep(20);
		}
	}
}
