package io.ckpt.core.tests.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds and runs the small C programs the tests save and restart. Every tool they need (gcc,
 * gdb) must be there: a missing one fails the test, it never skips it.
 */
public final class TestPrograms {

	/**
	 * A program with a nested function that has locals, stopped in {@code work} at the line
	 * marked {@code BREAK HERE}, that prints a counter once a loop and can run with extra threads.
	 */
	public static final String LOOP_C = """
			#include <pthread.h>
			#include <stdio.h>
			#include <stdlib.h>
			#include <unistd.h>

			static volatile int stop_now;

			static void *spin(void *arg)
			{
				while (!stop_now)
					usleep(1000);
				return arg;
			}

			static int work(int seed, int rounds)
			{
				int total = seed * 7;
				for (int i = 0; i < rounds; i++) {
					total += i;
					printf("round %d total %d\\n", i, total); /* BREAK HERE */
					fflush(stdout);
					usleep(200000);
				}
				return total;
			}

			int main(int argc, char **argv)
			{
				int threads = argc > 1 ? atoi(argv[1]) : 0;
				int rounds = argc > 2 ? atoi(argv[2]) : 1000000;
				pthread_t t[8];
				for (int i = 0; i < threads && i < 8; i++)
					pthread_create(&t[i], NULL, spin, NULL);
				int r = work(6, rounds);
				stop_now = 1;
				for (int i = 0; i < threads && i < 8; i++)
					pthread_join(t[i], NULL);
				printf("done %d\\n", r);
				return 0;
			}
			""";

	/** The private shared library of {@link #PARSER_C}: {@code answer()} returns {@code ANSWER}. */
	public static final String LIBPARSE_C = """
			int answer(void)
			{
				return ANSWER;
			}
			""";

	/** A program linked against a library of its own ({@link #LIBPARSE_C}, found beside it), printing its answer once a loop. */
	public static final String PARSER_C = """
			#include <stdio.h>
			#include <unistd.h>

			int answer(void);

			int main(void)
			{
				for (;;) {
					printf("answer %d\\n", answer());
					fflush(stdout);
					usleep(200000);
				}
			}
			""";

	private TestPrograms() {
	}

	/** The line of {@link #LOOP_C} marked {@code BREAK HERE}. */
	public static int breakLine() {
		String[] lines = LOOP_C.split("\n"); //$NON-NLS-1$
		for (int i = 0; i < lines.length; i++) {
			if (lines[i].contains("BREAK HERE")) { //$NON-NLS-1$
				return i + 1;
			}
		}
		throw new IllegalStateException();
	}

	/** Compiles {@link #LOOP_C} into {@code dir/loop} with debug information. */
	public static Path compileLoop(Path dir) throws IOException, InterruptedException {
		Path source = dir.resolve("loop.c"); //$NON-NLS-1$
		Files.writeString(source, LOOP_C);
		Path exe = dir.resolve("loop"); //$NON-NLS-1$
		run(dir, 120, "gcc", "-g", "-O0", "-pthread", "-o", exe.toString(), source.toString()); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
		return exe;
	}

	/**
	 * Compiles {@link #PARSER_C} into {@code dir/parser} against its private library
	 * {@code dir/libparse.so} (with a build-id, found through the program's run path), the way a
	 * teammate's build of a project with its own libraries looks.
	 */
	public static Path compileWithPrivateLibrary(Path dir) throws IOException, InterruptedException {
		buildPrivateLibrary(dir, 42);
		Path source = dir.resolve("parser.c"); //$NON-NLS-1$
		Files.writeString(source, PARSER_C);
		Path exe = dir.resolve("parser"); //$NON-NLS-1$
		run(dir, 120, "gcc", "-g", "-O0", "-o", exe.toString(), source.toString(), "-L" + dir, "-lparse", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$
				"-Wl,-rpath,$ORIGIN"); //$NON-NLS-1$
		return exe;
	}

	/**
	 * Builds {@code dir/libparse.so} again with another answer: its build-id changes, as after a
	 * rebuild of the library once a statefile of the program was saved.
	 */
	public static Path rebuildPrivateLibrary(Path dir) throws IOException, InterruptedException {
		return buildPrivateLibrary(dir, 43);
	}

	/** Builds {@code dir/libparse.so} as {@link #compileWithPrivateLibrary} did: the same build, so the same build-id. */
	public static Path putBackPrivateLibrary(Path dir) throws IOException, InterruptedException {
		return buildPrivateLibrary(dir, 42);
	}

	private static Path buildPrivateLibrary(Path dir, int answer) throws IOException, InterruptedException {
		Path source = dir.resolve("libparse.c"); //$NON-NLS-1$
		Files.writeString(source, LIBPARSE_C.replace("ANSWER", Integer.toString(answer))); //$NON-NLS-1$
		Path lib = dir.resolve("libparse.so"); //$NON-NLS-1$
		run(dir, 120, "gcc", "-shared", "-fPIC", "-Wl,--build-id", "-o", lib.toString(), source.toString()); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
		return lib;
	}

	/** Starts {@link #PARSER_C}'s program with output to a file, and waits until it has printed its first answer. */
	public static Process startParser(Path exe, Path outputFile) throws IOException, InterruptedException {
		Process p = new ProcessBuilder(exe.toString()).directory(exe.getParent().toFile()).redirectErrorStream(true)
				.redirectOutput(outputFile.toFile()).start();
		long deadline = System.currentTimeMillis() + 10_000;
		while (System.currentTimeMillis() < deadline) {
			if (Files.exists(outputFile) && Files.readString(outputFile).contains("answer 42")) { //$NON-NLS-1$
				return p;
			}
			Thread.sleep(20);
		}
		p.destroyForcibly();
		fail(exe + " did not start: " + (Files.exists(outputFile) ? Files.readString(outputFile) : "")); //$NON-NLS-1$ //$NON-NLS-2$
		return p;
	}

	/** Runs a command to its end and returns its output; fails the test when it is missing or fails. */
	public static String run(Path dir, int timeoutSeconds, String... command) throws IOException, InterruptedException {
		requireCommand(command[0]);
		Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
		p.getOutputStream().close();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s: " + out); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		}
		assertEquals(0, p.exitValue(), String.join(" ", command) + " failed: " + out); //$NON-NLS-1$ //$NON-NLS-2$
		return out;
	}

	/** Fails the test when {@code command} is not on PATH (or not an executable path). */
	public static Path requireCommand(String command) {
		if (command.contains("/")) { //$NON-NLS-1$
			Path p = Path.of(command);
			assertTrue(Files.isExecutable(p), command + " is missing or not executable"); //$NON-NLS-1$
			return p;
		}
		for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) { //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
			Path p = Path.of(dir, command);
			if (Files.isExecutable(p)) {
				return p;
			}
		}
		fail(command + " is not installed (not on PATH); the tests need it (see README, Prerequisites)"); //$NON-NLS-1$
		return null;
	}

	/** Starts the loop program with output to a file, and waits until it has printed its first round. */
	public static Process startLoop(Path exe, int threads, Path outputFile) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(List.of(exe.toString(), Integer.toString(threads)));
		Process p = new ProcessBuilder(cmd).directory(exe.getParent().toFile()).redirectErrorStream(true)
				.redirectOutput(outputFile.toFile()).start();
		long deadline = System.currentTimeMillis() + 10_000;
		while (System.currentTimeMillis() < deadline) {
			if (Files.exists(outputFile) && Files.readString(outputFile).contains("round 0")) { //$NON-NLS-1$
				return p;
			}
			Thread.sleep(20);
		}
		p.destroyForcibly();
		fail(exe + " did not start"); //$NON-NLS-1$
		return p;
	}

	/** Kills a process by pid (SIGKILL), ignoring one that is gone. */
	public static void kill(long pid) {
		ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
	}

	/** The state letter of a process in /proc (R, S, T, t, Z...), or 0 when it is gone. */
	public static char state(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc/" + pid + "/stat")); //$NON-NLS-1$ //$NON-NLS-2$
			return stat.charAt(stat.lastIndexOf(')') + 2);
		} catch (IOException e) {
			return 0;
		}
	}

	/**
	 * Starts the loop program with its output on a pipe to this JVM (so outside the process tree
	 * that a statefile holds), and waits for its first round. A thread drains the pipe.
	 */
	public static Process startLoopPiped(Path exe, int threads) throws IOException, InterruptedException {
		Process p = new ProcessBuilder(exe.toString(), Integer.toString(threads)).directory(exe.getParent().toFile())
				.redirectErrorStream(true).start();
		java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
		Thread drain = new Thread(() -> {
			try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = r.readLine()) != null) {
					if (line.contains("round 0")) { //$NON-NLS-1$
						started.countDown();
					}
				}
			} catch (IOException e) {
				// the program is gone
			}
		}, "loop output"); //$NON-NLS-1$
		drain.setDaemon(true);
		drain.start();
		if (!started.await(10, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			fail(exe + " did not start"); //$NON-NLS-1$
		}
		return p;
	}
}
