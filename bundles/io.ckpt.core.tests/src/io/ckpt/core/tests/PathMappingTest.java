package io.ckpt.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.ckpt.core.DumpMode;
import io.ckpt.core.Engine;
import io.ckpt.core.PathMapping;
import io.ckpt.core.PortabilityCheck;
import io.ckpt.core.PortabilityReport;
import io.ckpt.core.tests.util.TestPrograms;

/**
 * {@link Engine#check(Path, List)}, in-process through JNA (an array of {@code struct
 * ckpt_path_map}): a program whose working directory and output file were in two directories
 * that then moved is checked with one mapping and with both, and the answers are those of
 * {@code ckpt check --map-path ... --json}.
 */
class PathMappingTest {

	@TempDir
	static Path dir;

	private static Path statefile;
	private static Path work;
	private static Path output;
	private static PathMapping workMoved;
	private static PathMapping outputMoved;

	@BeforeAll
	static void dumpAProgramWhoseDirectoriesThenMove() throws Exception {
		Path exe = TestPrograms.compileLoop(Files.createDirectories(dir.resolve("bin"))); //$NON-NLS-1$
		work = Files.createDirectories(dir.resolve("work")); //$NON-NLS-1$
		output = Files.createDirectories(dir.resolve("output")); //$NON-NLS-1$
		Path out = output.resolve("out.txt"); //$NON-NLS-1$
		Process p = new ProcessBuilder(exe.toString()).directory(work.toFile()).redirectErrorStream(true).redirectOutput(out.toFile())
				.start();
		long deadline = System.currentTimeMillis() + 10_000;
		while (!(Files.exists(out) && Files.readString(out).contains("round 0")) && System.currentTimeMillis() < deadline) { //$NON-NLS-1$
			Thread.sleep(20);
		}
		statefile = dir.resolve("moved.ckpt"); //$NON-NLS-1$
		Engine.dump(p.pid(), statefile, DumpMode.KILL, null);
		p.waitFor();
		Files.move(work, dir.resolve("work-moved")); //$NON-NLS-1$
		Files.move(output, dir.resolve("output-moved")); //$NON-NLS-1$
		workMoved = new PathMapping(work.toString(), dir.resolve("work-moved").toString()); //$NON-NLS-1$
		outputMoved = PathMapping.parse(output + "=" + dir.resolve("output-moved")); //$NON-NLS-1$ //$NON-NLS-2$
	}

	@Test
	void eachMappingFindsWhatMovedAsTheCommandSays() throws Exception {
		PortabilityReport none = Engine.check(statefile, List.of());
		assertFalse(none.restartable());
		assertEquals(none.problems(), command().get("problems").getAsInt()); //$NON-NLS-1$

		PortabilityReport one = Engine.check(statefile, List.of(workMoved));
		assertFalse(one.restartable(), "the output file is still missing"); //$NON-NLS-1$
		assertEquals(List.of(output.resolve("out.txt").toString()), //$NON-NLS-1$
				one.problemChecks().stream().map(PortabilityCheck::subject).distinct().toList());
		assertEquals(one.problems(), command(workMoved).get("problems").getAsInt()); //$NON-NLS-1$

		PortabilityReport both = Engine.check(statefile, List.of(workMoved, outputMoved));
		assertTrue(both.restartable(), both.problemChecks().toString());
		JsonObject cli = command(workMoved, outputMoved);
		assertTrue(cli.get("restartable").getAsBoolean()); //$NON-NLS-1$
		List<String> notes = both.checks().stream().filter(c -> c.state().contains("(--map-path)")).map(PortabilityCheck::subject).toList(); //$NON-NLS-1$
		assertTrue(notes.contains(work.toString()) && notes.contains(output.resolve("out.txt").toString()), notes.toString()); //$NON-NLS-1$
	}

	@Test
	void aMappingIsTwoAbsolutePaths() {
		assertThrows(IllegalArgumentException.class, () -> PathMapping.parse("relative=/x")); //$NON-NLS-1$
		assertThrows(IllegalArgumentException.class, () -> PathMapping.parse("/x")); //$NON-NLS-1$
		assertEquals("/a=/b", PathMapping.parse(" /a = /b ").toString()); //$NON-NLS-1$ //$NON-NLS-2$
	}

	private static JsonObject command(PathMapping... mappings) throws Exception {
		List<String> cmd = new ArrayList<>(List.of(Engine.executable().toString(), "check", statefile.toString(), "--json")); //$NON-NLS-1$ //$NON-NLS-2$
		for (PathMapping m : mappings) {
			cmd.add("--map-path"); //$NON-NLS-1$
			cmd.add(m.toString());
		}
		Process p = new ProcessBuilder(cmd).start();
		String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		p.waitFor();
		String json = Stream.of(out.split("\n")).filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError(out)); //$NON-NLS-1$ //$NON-NLS-2$
		return JsonParser.parseString(json).getAsJsonObject();
	}
}
