package io.ckpt.debug.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import io.ckpt.core.Engine;
import io.ckpt.core.tests.util.TestPrograms;

/** A statefile of the loop program saved by real gdb with ckpt's extension, stopped at its breakpoint. */
final class SavedAtABreakpoint {

	final Path exe;
	final Path statefile;
	final int line;

	SavedAtABreakpoint(Path dir) throws Exception {
		exe = TestPrograms.compileLoop(dir);
		line = TestPrograms.breakLine();
		statefile = dir.resolve("at-break.ckpt"); //$NON-NLS-1$
		TestPrograms.requireCommand("gdb"); //$NON-NLS-1$
		String out = TestPrograms.run(dir, 120, "gdb", "-nx", "-batch", "-ex", "source " + Engine.gdbExtension(), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$
				"-ex", "break loop.c:" + line, "-ex", "run", "-ex", "ckpt save " + statefile, "-ex", "kill", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$ //$NON-NLS-7$ //$NON-NLS-8$
				"--args", exe.toString(), "1"); //$NON-NLS-1$ //$NON-NLS-2$
		assertTrue(Files.isRegularFile(statefile), "gdb did not save " + statefile + ":\n" + out); //$NON-NLS-1$ //$NON-NLS-2$
	}
}
