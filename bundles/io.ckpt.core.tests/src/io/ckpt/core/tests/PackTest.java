package io.ckpt.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.ckpt.core.DumpMode;
import io.ckpt.core.Engine;
import io.ckpt.core.EngineException;
import io.ckpt.core.PackResult;
import io.ckpt.core.tests.util.TestPrograms;

/**
 * {@link Engine#pack}, in-process through JNA (its structs mirrored and their sizes checked), on
 * a statefile the real engine dumps of a program with a private shared library: its result is
 * what {@code ckpt pack --json} says of the same statefile; a file that is not a statefile and
 * a cancelled pack leave nothing under the output's name.
 */
class PackTest {

	@TempDir
	static Path dir;

	private static Path statefile;

	@BeforeAll
	static void dumpAProgramWithAPrivateLibrary() throws Exception {
		Path lib = Files.createDirectories(dir.resolve("lib")); //$NON-NLS-1$
		Path parser = TestPrograms.compileWithPrivateLibrary(lib);
		Process p = TestPrograms.startParser(parser, lib.resolve("parser.out")); //$NON-NLS-1$
		statefile = dir.resolve("bug.ckpt"); //$NON-NLS-1$
		Engine.dump(p.pid(), statefile, DumpMode.KILL, null);
		p.waitFor();
	}

	@Test
	void packInProcessSaysWhatTheCommandSays() throws Exception {
		Path packed = dir.resolve("bug-packed.ckpt"); //$NON-NLS-1$
		PackResult r = Engine.pack(statefile, packed, false, null);
		assertEquals(statefile, r.statefile());
		assertEquals(packed, r.packed());
		assertEquals(Files.size(packed), r.fileBytes());
		assertEquals(Files.size(statefile), r.statefileBytes());
		assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(packed))); //$NON-NLS-1$
		assertTrue(r.files() >= 4, "the program, its library, libc and the loader at least: " + r); //$NON-NLS-1$
		assertTrue(r.embeddedBytes() > 0 && r.fileBytes() > r.statefileBytes() + r.embeddedBytes() / 2, r.toString());

		Path byTheCommand = dir.resolve("cli.ckpt"); //$NON-NLS-1$
		String out = TestPrograms.run(dir, 120, Engine.executable().toString(), "pack", statefile.toString(), "-o", //$NON-NLS-1$ //$NON-NLS-2$
				byTheCommand.toString(), "--json"); //$NON-NLS-1$
		String json = Stream.of(out.split("\n")).filter(l -> l.startsWith("{")).findFirst().orElseThrow(); //$NON-NLS-1$ //$NON-NLS-2$
		JsonObject cli = JsonParser.parseString(json).getAsJsonObject();
		assertEquals(cli.get("files").getAsInt(), r.files()); //$NON-NLS-1$
		assertEquals(cli.get("debug_files").getAsInt(), r.debugFiles()); //$NON-NLS-1$
		assertEquals(cli.get("skipped_open_files").getAsInt(), r.skippedOpenFiles()); //$NON-NLS-1$
		assertEquals(cli.get("embedded_bytes").getAsLong(), r.embeddedBytes()); //$NON-NLS-1$
		assertEquals(cli.get("statefile_bytes").getAsLong(), r.statefileBytes()); //$NON-NLS-1$
		assertEquals(cli.get("file_bytes").getAsLong(), r.fileBytes()); //$NON-NLS-1$
		assertTrue(Engine.check(packed).checks().stream().anyMatch(c -> c.state().contains("embedded")), //$NON-NLS-1$
				"ckpt check does not see embedded files"); //$NON-NLS-1$
	}

	@Test
	void aFileThatIsNoStatefileIsRefusedInOneLineAndLeavesNothing() throws Exception {
		Path junk = Files.writeString(dir.resolve("junk.ckpt"), "not a statefile\n"); //$NON-NLS-1$ //$NON-NLS-2$
		Path packed = dir.resolve("junk-packed.ckpt"); //$NON-NLS-1$
		EngineException e = assertThrows(EngineException.class, () -> Engine.pack(junk, packed, false, null));
		assertFalse(e.getReason().contains("\n"), e.getReason()); //$NON-NLS-1$
		assertEquals(List.of(), leftOver(packed));
		// The same words as the command's.
		Process cli = new ProcessBuilder(Engine.executable().toString(), "pack", junk.toString(), "-o", packed.toString()) //$NON-NLS-1$ //$NON-NLS-2$
				.redirectErrorStream(true).start();
		String said = new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
		assertEquals(1, cli.waitFor());
		assertEquals("ckpt: " + e.getReason(), said); //$NON-NLS-1$
	}

	@Test
	void aCancelledPackLeavesNothing() throws Exception {
		Path packed = dir.resolve("cancelled.ckpt"); //$NON-NLS-1$
		NullProgressMonitor cancelled = new NullProgressMonitor();
		cancelled.setCanceled(true);
		assertThrows(OperationCanceledException.class, () -> Engine.pack(statefile, packed, false, cancelled));
		assertEquals(List.of(), leftOver(packed));
		// Nothing is left that would stop the next pack.
		Path next = dir.resolve("next.ckpt"); //$NON-NLS-1$
		Engine.pack(statefile, next, false, null);
		assertTrue(Files.isRegularFile(next));
	}

	/** The output and the engine's temporary files for it. */
	private static List<Path> leftOver(Path packed) throws Exception {
		try (Stream<Path> files = Files.list(packed.getParent())) {
			String name = packed.getFileName().toString();
			return files.filter(f -> f.getFileName().toString().equals(name) || f.getFileName().toString().startsWith("." + name + ".")) //$NON-NLS-1$ //$NON-NLS-2$
					.toList();
		}
	}
}
