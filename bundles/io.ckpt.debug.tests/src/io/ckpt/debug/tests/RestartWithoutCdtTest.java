package io.ckpt.debug.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.ILogListener;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Platform;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ckpt.core.Engine;
import io.ckpt.core.tests.util.TestPrograms;
import io.ckpt.debug.CkptDebug;
import io.ckpt.debug.Snapshots;
import io.ckpt.debug.internal.CdtContracts;
import io.ckpt.debug.internal.GdbInit;

/**
 * "Restart from Snapshot" where CDT is not installed (this test runtime has no CDT and no
 * stand-in): the program is restarted, left stopped, its pid shown, and the user told why.
 */
class RestartWithoutCdtTest {

	@TempDir
	Path dir;

	@Test
	void theProgramIsLeftStoppedAndItsPidIsShown() throws Exception {
		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		assertNull(manager.getLaunchConfigurationType(CdtContracts.ATTACH_TYPE), "this runtime must not have CDT"); //$NON-NLS-1$
		SavedAtABreakpoint saved = new SavedAtABreakpoint(dir);

		List<IStatus> logged = new ArrayList<>();
		ILogListener listener = (status, plugin) -> {
			synchronized (logged) {
				logged.add(status);
			}
		};
		Platform.addLogListener(listener);
		ILaunch launch;
		try {
			launch = Snapshots.restart(saved.statefile, "", null); //$NON-NLS-1$
		} finally {
			Platform.removeLogListener(listener);
		}
		IProcess[] processes = launch.getProcesses();
		assertEquals(1, processes.length);
		int pid = Integer.parseInt(processes[0].getAttribute(IProcess.ATTR_PROCESS_ID));
		try {
			assertEquals('T', TestPrograms.state(pid), "not left stopped"); //$NON-NLS-1$
			assertTrue(processes[0].getLabel().contains("pid " + pid), processes[0].getLabel()); //$NON-NLS-1$
			IStatus said = logged.stream().filter(s -> s.getCode() == CkptDebug.STATUS_CDT_MISSING).findFirst()
					.orElseThrow(() -> new AssertionError("nothing said that CDT is missing: " + logged)); //$NON-NLS-1$
			assertTrue(said.getMessage().contains("CDT is needed") && said.getMessage().contains("pid " + pid) //$NON-NLS-1$ //$NON-NLS-2$
					&& said.getMessage().contains("gdb -iex 'source " + Engine.gdbExtension() + "' -p " + pid), //$NON-NLS-1$ //$NON-NLS-2$
					said.getMessage());
			assertEquals(CkptDebug.RESTART_LAUNCH_TYPE, launch.getLaunchConfiguration().getType().getIdentifier());
		} finally {
			launch.terminate();
			TestPrograms.kill(pid);
		}
	}

	@Test
	void gdbInitLoadsTheExtensionThenTheUsersOwnFile() throws Exception {
		String value = GdbInit.value(".gdbinit"); //$NON-NLS-1$
		assertEquals("${ckpt_gdbinit:.gdbinit}", value); //$NON-NLS-1$
		assertEquals(".gdbinit", GdbInit.userInitOf(value)); //$NON-NLS-1$
		String resolved = org.eclipse.core.variables.VariablesPlugin.getDefault().getStringVariableManager()
				.performStringSubstitution(value);
		Path init = Path.of(resolved);
		assertTrue(init.isAbsolute(), resolved);
		// Real gdb, started as CDT starts it (--nx), sources the file: ckpt's commands exist, and
		// the user's own init file in the working directory ran too.
		java.nio.file.Files.writeString(dir.resolve(".gdbinit"), "set $users_init_ran = 1\n"); //$NON-NLS-1$ //$NON-NLS-2$
		String out = TestPrograms.run(dir, 60, "gdb", "-nx", "-batch", "-ex", "source " + resolved, "-ex", "help ckpt", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$ //$NON-NLS-7$
				"-ex", "print $users_init_ran"); //$NON-NLS-1$ //$NON-NLS-2$
		assertTrue(out.contains("ckpt save"), out); //$NON-NLS-1$
		assertTrue(out.contains("$1 = 1"), out); //$NON-NLS-1$
		assertNotNull(out);
	}
}
