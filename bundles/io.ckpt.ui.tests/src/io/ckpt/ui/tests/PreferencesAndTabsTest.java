package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.core.runtime.Status;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.dialogs.PreferencesUtil;
import org.junit.jupiter.api.Test;

import io.ckpt.core.internal.CorePreferences;
import io.ckpt.debug.CkptDebug;
import io.ckpt.debug.internal.GdbInit;
import io.ckpt.debug.internal.LaunchEnabler;
import io.ckpt.ui.CkptUI;

/**
 * The preference page and the Snapshots launch tab, opened for real and photographed, and the
 * preference "enable snapshots for all C/C++ launches" applied to launch configurations.
 */
class PreferencesAndTabsTest {

	private static final String APPLICATION_TYPE = "org.eclipse.cdt.launch.applicationLaunchType"; //$NON-NLS-1$

	@Test
	void preferencePageShowsTheThreeSettings() throws Exception {
		Shell shell = Ui.window().getShell();
		PreferenceDialog dialog = PreferencesUtil.createPreferenceDialogOn(shell, CkptUI.PREFERENCE_PAGE_ID,
				new String[] { CkptUI.PREFERENCE_PAGE_ID }, null);
		dialog.setBlockOnOpen(false);
		dialog.open();
		try {
			Shell dshell = dialog.getShell();
			dshell.setSize(900, 760);
			Ui.waitFor("the engine in use", 20, () -> Ui.find(dshell, Label.class, //$NON-NLS-1$
					l -> l.getText().startsWith("Engine in use: ckpt ")) != null); //$NON-NLS-1$
			assertNotNull(Ui.find(dshell, Label.class, l -> l.getText().startsWith("&Engine directory") //$NON-NLS-1$
					|| l.getText().startsWith("Engine directory"))); //$NON-NLS-1$
			assertNotNull(Ui.find(dshell, Label.class, l -> l.getText().contains("Snapshot directory"))); //$NON-NLS-1$
			assertNotNull(Ui.find(dshell, Button.class, b -> b.getText().contains("all C/C++ launches"))); //$NON-NLS-1$
			org.eclipse.swt.widgets.Combo auto = Ui.find(dshell, org.eclipse.swt.widgets.Combo.class,
					c -> java.util.Arrays.asList(c.getItems()).contains("At every suspend")); //$NON-NLS-1$
			assertNotNull(auto, "no choice of automatic snapshots"); //$NON-NLS-1$
			assertEquals("Off", auto.getText()); //$NON-NLS-1$
			org.eclipse.swt.widgets.Text keep = Ui.find(dshell, org.eclipse.swt.widgets.Text.class,
					t -> t.getText().equals(Integer.toString(CorePreferences.DEFAULT_KEEP_SNAPSHOTS)));
			assertNotNull(keep, "no retention count showing its default"); //$NON-NLS-1$
			assertNotNull(Ui.find(dshell, org.eclipse.swt.widgets.Text.class,
					t -> t.getText().equals(Integer.toString(CorePreferences.DEFAULT_KEEP_MIB))), "no retention size"); //$NON-NLS-1$
			Ui.screenshot(dshell, "preferences.png"); //$NON-NLS-1$
		} finally {
			dialog.close();
		}
	}

	@Test
	void snapshotsTabInTheCdtApplicationDialog() throws Exception {
		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		ILaunchConfigurationType type = manager.getLaunchConfigurationType(APPLICATION_TYPE);
		ILaunchConfigurationWorkingCopy wc = type.newInstance(null, manager.generateLaunchConfigurationName("server")); //$NON-NLS-1$
		wc.setAttribute(CkptDebug.ATTR_SNAPSHOT_DIR, "/home/me/snapshots"); //$NON-NLS-1$
		wc.setAttribute(CkptDebug.ATTR_AUTO_SNAPSHOTS, CorePreferences.AUTO_AT_BREAKPOINTS);
		GdbInit.enable(wc, true);
		ILaunchConfiguration config = wc.doSave();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicReference<Boolean> sawTab = new AtomicReference<>(false);
		Display display = Display.getCurrent();
		// The dialog is modal: look at it, photograph it and close it from inside its event loop.
		Shell workbench = Ui.window().getShell();
		int[] tries = { 0 };
		Runnable[] look = new Runnable[1];
		look[0] = () -> {
			Shell active = display.getActiveShell();
			if ((active == null || active == workbench) && tries[0]++ < 40) {
				display.timerExec(500, look[0]); // the dialog is not up yet
				return;
			}
			try {
				Shell dialog = active;
				dialog.setSize(1000, 640);
				CTabFolder tabs = Ui.find(dialog, CTabFolder.class, f -> {
					for (CTabItem item : f.getItems()) {
						if ("Snapshots".equals(item.getText())) { //$NON-NLS-1$
							return true;
						}
					}
					return false;
				});
				assertNotNull(tabs, "no Snapshots tab"); //$NON-NLS-1$
				for (CTabItem item : tabs.getItems()) {
					if ("Snapshots".equals(item.getText())) { //$NON-NLS-1$
						tabs.setSelection(item);
						tabs.notifyListeners(org.eclipse.swt.SWT.Selection, new org.eclipse.swt.widgets.Event());
					}
				}
				Ui.spin(500);
				Button enable = Ui.find(dialog, Button.class, b -> b.getText().contains("Enable snapshots")); //$NON-NLS-1$
				assertNotNull(enable);
				assertTrue(enable.getSelection(), "the tab does not show snapshots enabled"); //$NON-NLS-1$
				org.eclipse.swt.widgets.Combo auto = Ui.find(dialog, org.eclipse.swt.widgets.Combo.class,
						c -> java.util.Arrays.asList(c.getItems()).contains("At breakpoint hits")); //$NON-NLS-1$
				assertNotNull(auto, "no choice of automatic snapshots on the tab"); //$NON-NLS-1$
				assertEquals("At breakpoint hits", auto.getText()); //$NON-NLS-1$
				sawTab.set(true);
				Ui.screenshot(dialog, "launch-tab.png"); //$NON-NLS-1$
				dialog.close();
			} catch (Throwable t) {
				failure.set(t);
				for (Shell s : display.getShells()) {
					if (s != workbench) {
						s.close();
					}
				}
			}
		};
		display.timerExec(1000, look[0]);
		DebugUITools.openLaunchConfigurationDialogOnGroup(Ui.window().getShell(), new org.eclipse.jface.viewers.StructuredSelection(config),
				"org.eclipse.debug.ui.launchGroup.debug", Status.OK_STATUS); //$NON-NLS-1$
		if (failure.get() != null) {
			throw new AssertionError(failure.get());
		}
		assertTrue(sawTab.get());
		config.delete();
	}

	@Test
	void enablingForAllLaunchesSetsUpEveryCdtConfigurationAndTurningItOffUndoesIt() throws Exception {
		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		ILaunchConfigurationType type = manager.getLaunchConfigurationType(APPLICATION_TYPE);
		ILaunchConfigurationWorkingCopy wc = type.newInstance(null, manager.generateLaunchConfigurationName("plain")); //$NON-NLS-1$
		wc.setAttribute("org.eclipse.cdt.dsf.gdb.GDB_INIT", "my.gdbinit"); //$NON-NLS-1$ //$NON-NLS-2$
		ILaunchConfiguration plain = wc.doSave();
		ILaunchConfigurationWorkingCopy opted = type.newInstance(null, manager.generateLaunchConfigurationName("optedOut")); //$NON-NLS-1$
		GdbInit.disable(opted, true);
		ILaunchConfiguration optedOut = opted.doSave();
		try {
			CorePreferences.node().putBoolean(CorePreferences.ENABLE_FOR_ALL_LAUNCHES, true);
			LaunchEnabler.syncNow();
			assertEquals("${ckpt_gdbinit:my.gdbinit}", plain.getAttribute("org.eclipse.cdt.dsf.gdb.GDB_INIT", "")); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
			assertFalse(GdbInit.isEnabled(optedOut), "a configuration that opted out was changed"); //$NON-NLS-1$

			CorePreferences.node().putBoolean(CorePreferences.ENABLE_FOR_ALL_LAUNCHES, false);
			LaunchEnabler.syncNow();
			assertEquals("my.gdbinit", plain.getAttribute("org.eclipse.cdt.dsf.gdb.GDB_INIT", "")); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
			assertFalse(plain.hasAttribute(CkptDebug.ATTR_USER_GDB_INIT));
		} finally {
			CorePreferences.node().remove(CorePreferences.ENABLE_FOR_ALL_LAUNCHES);
			plain.delete();
			optedOut.delete();
		}
	}
}
