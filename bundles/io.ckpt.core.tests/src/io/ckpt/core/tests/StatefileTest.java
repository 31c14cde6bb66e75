package io.ckpt.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ckpt.core.DumpMode;
import io.ckpt.core.DumpResult;
import io.ckpt.core.Engine;
import io.ckpt.core.EngineException;
import io.ckpt.core.SavedProcess;
import io.ckpt.core.Statefile;
import io.ckpt.core.tests.util.TestPrograms;

/**
 * The statefile model, read from real statefiles that the real engine writes during the test: a
 * small C program with three threads is compiled, started and dumped with {@link Engine#dump}
 * (a separate engine process), then read back in-process with {@link Engine#inspect}.
 */
class StatefileTest {

	@TempDir
	static Path dir;

	private static Path exe;
	private static Process program;
	private static Path statefile;
	private static DumpResult dumped;
	private static Instant before;

	@BeforeAll
	static void dumpARealProgram() throws Exception {
		exe = TestPrograms.compileLoop(dir);
		program = TestPrograms.startLoop(exe, 2, dir.resolve("out.txt")); //$NON-NLS-1$
		statefile = dir.resolve("loop.ckpt"); //$NON-NLS-1$
		before = Instant.now();
		dumped = Engine.dump(program.pid(), statefile, DumpMode.LEAVE_RUNNING, null);
	}

	@AfterAll
	static void stopTheProgram() {
		if (program != null) {
			program.destroyForcibly();
		}
	}

	@Test
	void dumpReportsWhatItWrote() throws IOException {
		assertEquals(statefile, dumped.path());
		assertEquals(1, dumped.processes());
		assertEquals(3, dumped.threads());
		assertTrue(dumped.storedBytes() > 0 && dumped.storedBytes() <= dumped.mappedBytes(), dumped.toString());
		assertEquals(Files.size(statefile), dumped.fileBytes());
		assertTrue(program.isAlive(), "--leave-running left the program dead"); //$NON-NLS-1$
	}

	@Test
	void modelDescribesTheProgram() throws EngineException {
		Statefile s = Engine.inspect(statefile);
		assertEquals(statefile, s.path());
		assertEquals(Engine.formatVersion(), s.format());
		assertEquals(Engine.version(), s.engineVersion());
		assertEquals(exe.toString(), s.program());
		assertEquals("loop", s.programName()); //$NON-NLS-1$
		assertEquals(exe.toString(), s.args().get(0));
		assertEquals(3, s.threads());
		assertFalse(s.fromDebugger());
		assertNotNull(s.time());
		assertTrue(Duration.between(before, s.time()).abs().toSeconds() < 60, "time " + s.time()); //$NON-NLS-1$

		assertEquals(1, s.processes().size());
		SavedProcess p = s.processes().get(0);
		assertEquals(program.pid(), p.pid());
		assertEquals("loop", p.comm()); //$NON-NLS-1$
		assertEquals(exe.toString(), p.executable());
		assertEquals(dir.toString(), p.cwd());
		assertEquals(3, p.threads().size());
		assertEquals(program.pid(), p.threads().get(0).tid(), "the main thread comes first"); //$NON-NLS-1$
		assertTrue(p.mappings() > 5, "mappings " + p.mappings()); //$NON-NLS-1$
		assertTrue(p.files().stream().anyMatch(f -> f.fd() == 1 && f.path().endsWith("out.txt")), p.files().toString()); //$NON-NLS-1$

		// Saved from outside a debugger: the stop is the thread's pc and its nearest symbol.
		assertEquals(program.pid(), s.stop().tid());
		assertTrue(s.stop().pc().startsWith("0x"), s.stop().pc()); //$NON-NLS-1$
		assertEquals(dumped.storedBytes(), s.storedBytes());
		assertEquals(dumped.fileBytes(), s.fileBytes());
		assertTrue(s.allocatedBytes() > 0 && s.allocatedBytes() < s.fileBytes(), "a statefile is sparse"); //$NON-NLS-1$
	}

	@Test
	void textDescriptionIsTheCommandLineToolsOwn() throws Exception {
		String text = Engine.describe(statefile);
		String cli = TestPrograms.run(dir, 60, Engine.executable().toString(), "info", statefile.toString()); //$NON-NLS-1$
		assertEquals(cli.strip(), text.strip());
		assertTrue(text.contains(exe.toString()), text);
	}

	@Test
	void missingFileGivesAOneLineError() {
		EngineException e = assertThrows(EngineException.class, () -> Engine.inspect(dir.resolve("nope.ckpt"))); //$NON-NLS-1$
		assertOneLine(e);
		assertTrue(e.getReason().contains("nope.ckpt"), e.getReason()); //$NON-NLS-1$
	}

	@Test
	void emptyFileGivesAOneLineError() throws IOException {
		Path empty = Files.createFile(dir.resolve("empty.ckpt")); //$NON-NLS-1$
		assertOneLine(assertThrows(EngineException.class, () -> Engine.inspect(empty)));
	}

	@Test
	void textFileGivesAOneLineError() throws IOException {
		Path text = Files.writeString(dir.resolve("text.ckpt"), "this is not a statefile\n".repeat(200)); //$NON-NLS-1$ //$NON-NLS-2$
		assertOneLine(assertThrows(EngineException.class, () -> Engine.inspect(text)));
	}

	@Test
	void ordinaryElfFileGivesAOneLineError() {
		// An ELF file, but an executable, not a core.
		assertOneLine(assertThrows(EngineException.class, () -> Engine.inspect(exe)));
	}

	@Test
	void truncatedStatefileGivesAOneLineError() throws IOException {
		Path cut = dir.resolve("cut.ckpt"); //$NON-NLS-1$
		Files.copy(statefile, cut);
		try (RandomAccessFile f = new RandomAccessFile(cut.toFile(), "rw")) { //$NON-NLS-1$
			f.setLength(Math.min(Files.size(statefile) / 3, 3000));
		}
		assertOneLine(assertThrows(EngineException.class, () -> Engine.inspect(cut)));
	}

	@Test
	void corruptedNotesGiveAOneLineError() throws IOException {
		Path bad = dir.resolve("bad.ckpt"); //$NON-NLS-1$
		Files.copy(statefile, bad);
		try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) { //$NON-NLS-1$
			// Scribble over the program headers (right after the 64-byte ELF header).
			f.seek(64);
			f.write(new byte[] { (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4, 5, 6, 7, 8 });
		}
		assertOneLine(assertThrows(EngineException.class, () -> Engine.inspect(bad)));
	}

	@Test
	void dumpOfAMissingProcessGivesTheEnginesReason() {
		EngineException e = assertThrows(EngineException.class,
				() -> Engine.dump(999_999_999L, dir.resolve("none.ckpt"), DumpMode.LEAVE_RUNNING, null)); //$NON-NLS-1$
		assertOneLine(e);
		assertFalse(Files.exists(dir.resolve("none.ckpt"))); //$NON-NLS-1$
	}

	static void assertOneLine(EngineException e) {
		String reason = e.getReason();
		assertNotNull(reason);
		assertFalse(reason.isBlank(), "empty reason"); //$NON-NLS-1$
		assertFalse(reason.contains("\n"), "more than one line: " + reason); //$NON-NLS-1$ //$NON-NLS-2$
		assertEquals(reason, e.getStatus().getMessage());
		System.out.println("engine says: " + reason); //$NON-NLS-1$
	}
}
