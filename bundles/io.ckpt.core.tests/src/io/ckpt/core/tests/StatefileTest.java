package io.ckpt.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.ckpt.core.DumpMode;
import io.ckpt.core.DumpResult;
import io.ckpt.core.Engine;
import io.ckpt.core.EngineException;
import io.ckpt.core.SavedFile;
import io.ckpt.core.SavedProcess;
import io.ckpt.core.SavedThread;
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
	void modelCarriesEveryMemberOfTheCommandLineToolsJson() throws Exception {
		String json = TestPrograms.run(dir, 60, Engine.executable().toString(), "info", statefile.toString(), "--json") //$NON-NLS-1$ //$NON-NLS-2$
				.strip();
		Statefile s = Statefile.fromJson(statefile, json);
		// The same description read in-process through JNA gives the same model.
		assertEquals(Engine.inspect(statefile), s);

		// Member by member, read as a plain JSON tree: each snake_case name lands in its component.
		JsonObject o = JsonParser.parseString(json).getAsJsonObject();
		assertEquals(o.get("format").getAsInt(), s.format()); //$NON-NLS-1$
		assertEquals(o.get("engine").getAsString(), s.engineVersion()); //$NON-NLS-1$
		assertEquals(o.get("kernel").getAsString(), s.kernel()); //$NON-NLS-1$
		assertEquals(o.get("hostname").getAsString(), s.hostname()); //$NON-NLS-1$
		long ns = o.get("time_ns").getAsLong(); //$NON-NLS-1$
		assertEquals(Instant.ofEpochSecond(ns / 1_000_000_000L, ns % 1_000_000_000L), s.time());
		assertEquals(o.get("freeze_ms").getAsDouble(), s.freezeMillis()); //$NON-NLS-1$
		assertEquals(o.get("total_ms").getAsDouble(), s.totalMillis()); //$NON-NLS-1$
		assertEquals(o.get("from_debugger").getAsBoolean(), s.fromDebugger()); //$NON-NLS-1$
		assertEquals(o.get("program").getAsString(), s.program()); //$NON-NLS-1$
		assertEquals(strings(o.getAsJsonArray("args")), s.args()); //$NON-NLS-1$
		assertEquals(o.get("threads").getAsInt(), s.threads()); //$NON-NLS-1$
		assertEquals(o.get("stored_bytes").getAsLong(), s.storedBytes()); //$NON-NLS-1$
		assertEquals(o.get("mapped_bytes").getAsLong(), s.mappedBytes()); //$NON-NLS-1$
		assertEquals(o.get("file_bytes").getAsLong(), s.fileBytes()); //$NON-NLS-1$
		assertEquals(o.get("allocated_bytes").getAsLong(), s.allocatedBytes()); //$NON-NLS-1$

		// A dump from the command line has no annotation, or one with its origin (and no session).
		if (o.has("annotation") && o.get("annotation").isJsonObject()) { //$NON-NLS-1$ //$NON-NLS-2$
			JsonObject a = o.getAsJsonObject("annotation"); //$NON-NLS-1$
			assertNotNull(s.annotation());
			assertEquals(string(a, "origin") == null ? "" : string(a, "origin"), s.annotation().origin()); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
			assertEquals(a.has("sequence") ? a.get("sequence").getAsInt() : 0, s.annotation().sequence()); //$NON-NLS-1$ //$NON-NLS-2$
		} else {
			assertNull(s.annotation());
		}

		JsonObject stop = o.getAsJsonObject("stop"); //$NON-NLS-1$
		assertEquals(stop.get("tid").getAsLong(), s.stop().tid()); //$NON-NLS-1$
		assertEquals(stop.get("pc").getAsString(), s.stop().pc()); //$NON-NLS-1$
		assertEquals(string(stop, "symbol"), s.stop().symbol()); //$NON-NLS-1$
		assertEquals(string(stop, "function"), s.stop().function()); //$NON-NLS-1$
		assertEquals(string(stop, "file"), s.stop().file()); //$NON-NLS-1$
		assertEquals(stop.has("line") ? stop.get("line").getAsInt() : 0, s.stop().line()); //$NON-NLS-1$ //$NON-NLS-2$

		JsonObject p = o.getAsJsonArray("processes").get(0).getAsJsonObject(); //$NON-NLS-1$
		SavedProcess sp = s.processes().get(0);
		assertEquals(p.get("pid").getAsLong(), sp.pid()); //$NON-NLS-1$
		assertEquals(p.get("ppid").getAsLong(), sp.ppid()); //$NON-NLS-1$
		assertEquals(p.get("pgid").getAsLong(), sp.pgid()); //$NON-NLS-1$
		assertEquals(p.get("sid").getAsLong(), sp.sid()); //$NON-NLS-1$
		assertEquals(p.get("comm").getAsString(), sp.comm()); //$NON-NLS-1$
		assertEquals(p.get("exe").getAsString(), sp.executable()); //$NON-NLS-1$
		assertEquals(p.get("cwd").getAsString(), sp.cwd()); //$NON-NLS-1$
		assertEquals(strings(p.getAsJsonArray("args")), sp.args()); //$NON-NLS-1$
		assertEquals(p.get("mappings").getAsInt(), sp.mappings()); //$NON-NLS-1$
		assertEquals(p.get("stored_bytes").getAsLong(), sp.storedBytes()); //$NON-NLS-1$
		assertEquals(p.get("mapped_bytes").getAsLong(), sp.mappedBytes()); //$NON-NLS-1$
		JsonArray threads = p.getAsJsonArray("threads"); //$NON-NLS-1$
		assertEquals(threads.size(), sp.threads().size());
		for (int i = 0; i < threads.size(); i++) {
			JsonObject t = threads.get(i).getAsJsonObject();
			SavedThread st = sp.threads().get(i);
			assertEquals(t.get("tid").getAsLong(), st.tid()); //$NON-NLS-1$
			assertEquals(t.get("pc").getAsString(), st.pc()); //$NON-NLS-1$
			assertEquals(string(t, "symbol"), st.symbol()); //$NON-NLS-1$
			assertEquals(t.get("name").getAsString(), st.name()); //$NON-NLS-1$
		}
		JsonArray fds = p.getAsJsonArray("fds"); //$NON-NLS-1$
		assertEquals(fds.size(), sp.files().size());
		for (int i = 0; i < fds.size(); i++) {
			JsonObject f = fds.get(i).getAsJsonObject();
			SavedFile sf = sp.files().get(i);
			assertEquals(f.get("fd").getAsInt(), sf.fd()); //$NON-NLS-1$
			assertEquals(f.get("kind").getAsString(), sf.kind()); //$NON-NLS-1$
			assertEquals(f.get("access").getAsString(), sf.access()); //$NON-NLS-1$
			assertEquals(f.get("path").getAsString(), sf.path()); //$NON-NLS-1$
			assertEquals(f.get("pos").getAsLong(), sf.position()); //$NON-NLS-1$
		}
	}

	@Test
	void jsonThatIsNoStatefileDescriptionIsRefused() {
		for (String notOne : new String[] { "", "null", "[]", "42", "{}", "{\"format\":1}", "{\"format\":1,\"processes\":[]} x", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$ //$NON-NLS-7$
				"{format:1,processes:[]}" }) { //$NON-NLS-1$
			assertThrows(IllegalArgumentException.class, () -> Statefile.fromJson(statefile, notOne), notOne);
		}
		// Members the model does not know are left aside.
		Statefile s = Statefile.fromJson(statefile, "{\"format\":1,\"processes\":[],\"newer_member\":{\"a\":[1]}}"); //$NON-NLS-1$
		assertEquals(1, s.format());
		assertTrue(s.processes().isEmpty() && s.args().isEmpty());
	}

	/** A string member, {@code null} when it is absent or null. */
	private static String string(JsonObject o, String member) {
		JsonElement e = o.get(member);
		return e == null || e.isJsonNull() ? null : e.getAsString();
	}

	private static List<String> strings(JsonArray array) {
		List<String> list = new ArrayList<>();
		array.forEach(e -> list.add(e.getAsString()));
		return list;
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
