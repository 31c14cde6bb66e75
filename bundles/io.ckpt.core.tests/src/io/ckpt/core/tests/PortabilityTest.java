package io.ckpt.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.ckpt.core.CheckStatus;
import io.ckpt.core.DumpMode;
import io.ckpt.core.Engine;
import io.ckpt.core.EngineException;
import io.ckpt.core.PortabilityCheck;
import io.ckpt.core.PortabilityReport;
import io.ckpt.core.tests.util.TestPrograms;

/**
 * {@link Engine#check}, in-process through JNA, on statefiles the real engine dumps during the
 * test: one fresh from this machine, and one of a program whose private shared library was
 * rebuilt after the dump (a teammate's statefile meets another build of the library). The
 * expected answers come from the engine's command line tool.
 */
class PortabilityTest {

	private static final Set<String> AREAS = Set.of("file", "cpu", "vdso", "kernel", "cwd", "open file", "user"); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$ //$NON-NLS-7$

	@TempDir
	static Path dir;

	private static Path loopExe;
	private static Process loop;
	private static Path fresh;
	private static Path library;
	private static Path rebuilt;

	@BeforeAll
	static void dumpTwoPrograms() throws Exception {
		loopExe = TestPrograms.compileLoop(dir);
		loop = TestPrograms.startLoop(loopExe, 1, dir.resolve("loop.out")); //$NON-NLS-1$
		fresh = dir.resolve("fresh.ckpt"); //$NON-NLS-1$
		Engine.dump(loop.pid(), fresh, DumpMode.LEAVE_RUNNING, null);

		Path lib = Files.createDirectories(dir.resolve("lib")); //$NON-NLS-1$
		Path parser = TestPrograms.compileWithPrivateLibrary(lib);
		Process p = TestPrograms.startParser(parser, lib.resolve("parser.out")); //$NON-NLS-1$
		rebuilt = dir.resolve("rebuilt.ckpt"); //$NON-NLS-1$
		Engine.dump(p.pid(), rebuilt, DumpMode.KILL, null);
		p.waitFor();
		library = TestPrograms.rebuildPrivateLibrary(lib);
	}

	@AfterAll
	static void stopTheProgram() {
		if (loop != null) {
			loop.destroyForcibly();
		}
	}

	@Test
	void aFreshStatefileCanRestartHereAndEveryAreaIsChecked() throws Exception {
		PortabilityReport r = Engine.check(fresh);
		assertEquals(fresh, r.statefile());
		assertTrue(r.restartable(), r.toString());
		assertEquals(0, r.problems());
		assertTrue(r.problemChecks().isEmpty());
		assertTrue(r.firstProblem().isEmpty());
		Set<String> areas = new TreeSet<>();
		for (PortabilityCheck c : r.checks()) {
			areas.add(c.area());
			assertFalse(c.isProblem(), c.toString());
			assertFalse(c.subject().isEmpty(), c.toString());
			assertFalse(c.state().isEmpty(), c.toString());
			if (c.status() == CheckStatus.OK) {
				assertNull(c.remedy(), c.toString());
			}
		}
		assertEquals(new TreeSet<>(AREAS), areas);
		assertTrue(r.checks().contains(new PortabilityCheck("file", loopExe.toString(), CheckStatus.OK, "the same as when saved", null)), //$NON-NLS-1$ //$NON-NLS-2$
				r.checks().toString());
		assertTrue(r.checks().stream().anyMatch(c -> c.area().equals("cwd") && c.subject().equals(dir.toString())), //$NON-NLS-1$
				r.checks().toString());
		assertTrue(r.checks().stream().anyMatch(c -> c.area().equals("open file") && c.subject().endsWith("loop.out")), //$NON-NLS-1$ //$NON-NLS-2$
				r.checks().toString());
	}

	@Test
	void theReportCarriesEveryItemOfTheCommandLineToolsJson() throws Exception {
		for (Path statefile : List.of(fresh, rebuilt)) {
			String json = runCheck(statefile);
			JsonObject cli = JsonParser.parseString(json).getAsJsonObject();
			PortabilityReport r = Engine.check(statefile);
			assertEquals(cli.get("restartable").getAsBoolean(), r.restartable()); //$NON-NLS-1$
			assertEquals(cli.get("problems").getAsInt(), r.problems()); //$NON-NLS-1$
			List<PortabilityCheck> expected = new ArrayList<>();
			for (JsonElement e : cli.getAsJsonArray("checks")) { //$NON-NLS-1$
				JsonObject c = e.getAsJsonObject();
				expected.add(new PortabilityCheck(c.get("area").getAsString(), c.get("subject").getAsString(), //$NON-NLS-1$ //$NON-NLS-2$
						CheckStatus.valueOf(c.get("status").getAsString().toUpperCase()), c.get("state").getAsString(), //$NON-NLS-1$ //$NON-NLS-2$
						c.get("remedy").isJsonNull() ? null : c.get("remedy").getAsString())); //$NON-NLS-1$ //$NON-NLS-2$
			}
			assertEquals(expected, r.checks());
		}
	}

	@Test
	void aRebuiltLibraryIsAProblemThatNamesTheFileWithItsRemedy() throws Exception {
		PortabilityReport r = Engine.check(rebuilt);
		assertFalse(r.restartable());
		assertEquals(1, r.problems(), r.toString());
		PortabilityCheck problem = r.firstProblem().orElseThrow();
		assertEquals(List.of(problem), r.problemChecks());
		assertEquals("file", problem.area()); //$NON-NLS-1$
		assertEquals(library.toString(), problem.subject());
		assertTrue(problem.state().startsWith("changed since the snapshot"), problem.state()); //$NON-NLS-1$
		assertNotNull(problem.remedy());
		assertTrue(problem.remedy().contains("put back the file"), problem.remedy()); //$NON-NLS-1$
		// Everything else is as on the machine where it was saved (it is this one).
		assertEquals(new TreeSet<>(AREAS), new TreeSet<>(r.checks().stream().map(PortabilityCheck::area).toList()));

		// Restart refuses with the same words: the first problem's state and remedy.
		EngineException e = assertThrows(EngineException.class, () -> Engine.restartStopped(rebuilt, null));
		assertTrue(e.getReason().contains(problem.state()) && e.getReason().contains(problem.remedy()), e.getReason());
		assertTrue(e.getReason().contains(library.toString()), e.getReason());
	}

	@Test
	void whatIsNoStatefileGetsTheEnginesOneLine() throws Exception {
		Path text = dir.resolve("notes.ckpt"); //$NON-NLS-1$
		Files.writeString(text, "not a statefile\n".repeat(400)); //$NON-NLS-1$
		EngineException e = assertThrows(EngineException.class, () -> Engine.check(text));
		Process p = new ProcessBuilder(Engine.executable().toString(), "check", text.toString()).start(); //$NON-NLS-1$
		p.getInputStream().readAllBytes();
		String cli = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
		assertEquals(1, p.waitFor());
		assertEquals(cli, "ckpt: " + e.getReason()); //$NON-NLS-1$
		assertFalse(e.getReason().contains("\n")); //$NON-NLS-1$

		Path missing = dir.resolve("missing.ckpt"); //$NON-NLS-1$
		e = assertThrows(EngineException.class, () -> Engine.check(missing));
		assertEquals(missing + ": no such file", e.getReason()); //$NON-NLS-1$
	}

	/** {@code ckpt check FILE --json}: exit 0 when restart can work, 1 when it cannot, the JSON either way. */
	private static String runCheck(Path statefile) throws Exception {
		Process p = new ProcessBuilder(Engine.executable().toString(), "check", statefile.toString(), "--json") //$NON-NLS-1$ //$NON-NLS-2$
				.redirectError(ProcessBuilder.Redirect.DISCARD).start();
		String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
		assertTrue(p.exitValue() == 0 || p.exitValue() == 1, "ckpt check exited with " + p.exitValue()); //$NON-NLS-1$
		return out.strip();
	}
}
