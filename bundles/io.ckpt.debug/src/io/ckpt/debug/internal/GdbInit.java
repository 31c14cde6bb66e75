package io.ckpt.debug.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.variables.IDynamicVariable;
import org.eclipse.core.variables.IDynamicVariableResolver;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.osgi.util.NLS;
import org.osgi.framework.FrameworkUtil;

import io.ckpt.core.Engine;
import io.ckpt.core.internal.CorePreferences;
import io.ckpt.debug.CkptDebug;

/**
 * How ckpt's gdb extension gets into CDT's gdb: through the launch's gdb init file
 * ({@code org.eclipse.cdt.dsf.gdb.GDB_INIT}). CDT starts gdb with {@code --nx} and then sources
 * that file, after substituting Eclipse variables in its path. ckpt sets it to
 * {@code ${ckpt_gdbinit:USER_INIT}}, where USER_INIT is what the launch had before; this class
 * resolves that variable to a generated init file which loads the extension and then sources
 * USER_INIT when that file exists (relative to gdb's working directory, as CDT does). Nothing
 * else about how CDT starts gdb changes, and turning it off puts USER_INIT back.
 */
public final class GdbInit implements IDynamicVariableResolver {

	private static final String PREFIX = "${" + CkptDebug.GDBINIT_VARIABLE; //$NON-NLS-1$

	@Override
	public String resolveValue(IDynamicVariable variable, String argument) throws CoreException {
		try {
			String userInit = argument == null ? "" : argument; //$NON-NLS-1$
			SessionFollower.start();
			return write(userInit, autoCommand(SessionFollower.takeStarting(userInit))).toString();
		} catch (IOException | RuntimeException e) {
			throw new CoreException(new Status(IStatus.ERROR, CkptDebug.PLUGIN_ID,
					NLS.bind(Messages.GdbInit_notWritten, e.getMessage()), e));
		}
	}

	/** The GDB_INIT value that loads ckpt's extension and then {@code userInit}. */
	public static String value(String userInit) {
		return userInit == null || userInit.isEmpty() ? PREFIX + "}" : PREFIX + ":" + userInit + "}"; //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
	}

	/** Whether a GDB_INIT value is ckpt's. */
	public static boolean isCkpt(String gdbInit) {
		return gdbInit != null && gdbInit.startsWith(PREFIX);
	}

	/** Whether a launch configuration loads ckpt's extension. */
	public static boolean isEnabled(ILaunchConfiguration config) {
		try {
			return isCkpt(config.getAttribute(CdtContracts.ATTR_GDB_INIT, "")); //$NON-NLS-1$
		} catch (CoreException e) {
			return false;
		}
	}

	/**
	 * Makes a configuration load ckpt's extension, keeping its own init file.
	 *
	 * @param explicit whether the user chose this for this configuration (else it follows the
	 *                 preference for all C/C++ launches)
	 */
	public static void enable(ILaunchConfigurationWorkingCopy wc, boolean explicit) throws CoreException {
		String current = wc.getAttribute(CdtContracts.ATTR_GDB_INIT, CdtContracts.DEFAULT_GDB_INIT);
		if (!isCkpt(current)) {
			wc.setAttribute(CkptDebug.ATTR_USER_GDB_INIT, current);
			wc.setAttribute(CdtContracts.ATTR_GDB_INIT, value(current));
		}
		if (explicit) {
			wc.setAttribute(CkptDebug.ATTR_ENABLED, true);
		}
	}

	/** Puts the configuration's own init file back. */
	public static void disable(ILaunchConfigurationWorkingCopy wc, boolean explicit) throws CoreException {
		String current = wc.getAttribute(CdtContracts.ATTR_GDB_INIT, CdtContracts.DEFAULT_GDB_INIT);
		if (isCkpt(current)) {
			String user = wc.getAttribute(CkptDebug.ATTR_USER_GDB_INIT, userInitOf(current));
			wc.setAttribute(CdtContracts.ATTR_GDB_INIT, user);
		}
		wc.removeAttribute(CkptDebug.ATTR_USER_GDB_INIT);
		if (explicit) {
			wc.setAttribute(CkptDebug.ATTR_ENABLED, false);
		} else {
			wc.removeAttribute(CkptDebug.ATTR_ENABLED);
		}
	}

	/** The user's init file inside a ckpt GDB_INIT value. */
	public static String userInitOf(String gdbInit) {
		if (!isCkpt(gdbInit)) {
			return gdbInit;
		}
		int colon = gdbInit.indexOf(':');
		return colon < 0 ? "" : gdbInit.substring(colon + 1, gdbInit.length() - 1); //$NON-NLS-1$
	}

	/** Whether snapshots are on for this configuration: its own choice, else the preference. */
	public static boolean wanted(ILaunchConfiguration config) {
		try {
			if (config.hasAttribute(CkptDebug.ATTR_ENABLED)) {
				return config.getAttribute(CkptDebug.ATTR_ENABLED, false);
			}
		} catch (CoreException e) {
			// fall through to the preference
		}
		return CorePreferences.enableForAllLaunches();
	}

	/**
	 * The {@code ckpt auto} command that makes a launch's gdb save automatic snapshots from its
	 * first stop on (the session follower says it again once gdb listens, but the program may
	 * reach its first breakpoint before that); {@code null} when they are off.
	 */
	static String autoCommand(ILaunch launch) throws IOException {
		if (launch == null) {
			return null;
		}
		GdbAnswers.AutoRequest request = SessionFollower.autoRequest(launch);
		if (CorePreferences.AUTO_OFF.equals(request.mode())) {
			return null;
		}
		Path dir = Path.of(request.dir());
		Files.createDirectories(dir);
		return "ckpt auto " + request.mode() + " " + gdbQuoted(dir.toString()); //$NON-NLS-1$ //$NON-NLS-2$
	}

	/** A word for gdb's argument splitting (gdb.string_to_argv). */
	private static String gdbQuoted(String s) {
		return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"'; //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$
	}

	/** Writes the init file for {@code userInit}, without automatic snapshots. */
	public static Path write(String userInit) throws IOException {
		return write(userInit, null);
	}

	/**
	 * Writes the init file for {@code userInit} and an optional {@code ckpt auto} command
	 * (rewritten every time, so that it always names the engine in use) and returns its path.
	 */
	public static Path write(String userInit, String autoCommand) throws IOException {
		Path dir = stateDir();
		Files.createDirectories(dir);
		String key = userInit + (autoCommand == null ? "" : "\n" + autoCommand); //$NON-NLS-1$ //$NON-NLS-2$
		String name = "gdbinit" + (key.isEmpty() ? "" : "-" + Integer.toHexString(key.hashCode())); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		Path file = dir.resolve(name);
		String text = contents(Engine.gdbExtension().toString(), userInit, autoCommand);
		if (Files.exists(file) && Files.readString(file).equals(text)) {
			return file;
		}
		Path tmp = Files.createTempFile(dir, name, ".tmp"); //$NON-NLS-1$
		Files.writeString(tmp, text);
		Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		return file;
	}

	/** The init file's text. */
	static String contents(String extension, String userInit) {
		return contents(extension, userInit, null);
	}

	/** The init file's text, with a {@code ckpt auto} command after loading the extension. */
	static String contents(String extension, String userInit, String autoCommand) {
		String auto = autoCommand == null ? "" //$NON-NLS-1$
				: "try:\n" //$NON-NLS-1$
						+ "    gdb.execute(" + py(autoCommand) + ")\n" //$NON-NLS-1$ //$NON-NLS-2$
						+ "except gdb.error as e:\n" //$NON-NLS-1$
						+ "    gdb.write(\"ckpt: could not turn on automatic snapshots: %s\\n\" % e, gdb.STDERR)\n"; //$NON-NLS-1$
		return "# Written by ckpt (io.ckpt.debug): loads ckpt's gdb extension, then this launch's own\n" //$NON-NLS-1$
				+ "# gdb init file when it exists. Regenerated at each launch; do not edit.\n" //$NON-NLS-1$
				+ "python\n" //$NON-NLS-1$
				+ "import os\n" //$NON-NLS-1$
				+ "try:\n" //$NON-NLS-1$
				+ "    gdb.execute(\"source \" + " + py(extension) + ")\n" //$NON-NLS-1$ //$NON-NLS-2$
				+ "except gdb.error as e:\n" //$NON-NLS-1$
				+ "    gdb.write(\"ckpt: could not load the gdb extension: %s\\n\" % e, gdb.STDERR)\n" //$NON-NLS-1$
				+ auto
				+ "_ckpt_user_init = os.path.expanduser(" + py(userInit) + ")\n" //$NON-NLS-1$ //$NON-NLS-2$
				+ "if _ckpt_user_init and os.path.isfile(_ckpt_user_init):\n" //$NON-NLS-1$
				+ "    gdb.execute(\"source \" + _ckpt_user_init)\n" //$NON-NLS-1$
				+ "end\n"; //$NON-NLS-1$
	}

	private static String py(String s) {
		StringBuilder sb = new StringBuilder("'"); //$NON-NLS-1$
		for (char c : s.toCharArray()) {
			if (c == '\\' || c == '\'') {
				sb.append('\\');
			}
			if (c == '\n') {
				sb.append("\\n"); //$NON-NLS-1$
			} else {
				sb.append(c);
			}
		}
		return sb.append('\'').toString();
	}

	private static Path stateDir() {
		try {
			return Platform.getStateLocation(FrameworkUtil.getBundle(GdbInit.class)).toPath();
		} catch (RuntimeException e) {
			return Path.of(System.getProperty("java.io.tmpdir"), "ckpt-" + System.getProperty("user.name")); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		}
	}
}
