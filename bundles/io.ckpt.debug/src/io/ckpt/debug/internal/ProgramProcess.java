package io.ckpt.debug.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IStreamListener;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.core.model.IStreamMonitor;
import org.eclipse.debug.core.model.IStreamsProxy;

import io.ckpt.core.ProgramOutput;
import io.ckpt.core.RestartedProgram;

/**
 * The restarted program as a process of the "Restart from Snapshot" launch: the Debug view lists
 * it and the Console view shows what it writes to its standard output and error (which arrive
 * through the engine's pipes). It ends when the program does; terminating it kills the program.
 */
public final class ProgramProcess implements IProcess, ProgramOutput.Listener {

	private final ILaunch launch;
	private final RestartedProgram program;
	private final String label;
	private final Map<String, String> attributes = new HashMap<>();
	private final Monitor out = new Monitor();
	private final Monitor err = new Monitor();
	private volatile boolean terminated;

	public ProgramProcess(ILaunch launch, RestartedProgram program, String label) {
		this.launch = launch;
		this.program = program;
		this.label = label;
		attributes.put(IProcess.ATTR_PROCESS_ID, Integer.toString(program.pid()));
		attributes.put(IProcess.ATTR_PROCESS_TYPE, "ckpt.restarted"); //$NON-NLS-1$
		launch.addProcess(this);
		fire(DebugEvent.CREATE);
		program.output().addListener(this);
	}

	public RestartedProgram program() {
		return program;
	}

	@Override
	public void append(ProgramOutput.Stream stream, String text) {
		(stream == ProgramOutput.Stream.STDOUT ? out : err).append(text);
	}

	@Override
	public void closed() {
		terminated = true;
		fire(DebugEvent.TERMINATE);
	}

	private void fire(int kind) {
		DebugPlugin plugin = DebugPlugin.getDefault();
		if (plugin != null) {
			plugin.fireDebugEventSet(new DebugEvent[] { new DebugEvent(this, kind) });
		}
	}

	@Override
	public String getLabel() {
		return label;
	}

	@Override
	public ILaunch getLaunch() {
		return launch;
	}

	@Override
	public IStreamsProxy getStreamsProxy() {
		return new IStreamsProxy() {
			@Override
			public IStreamMonitor getErrorStreamMonitor() {
				return err;
			}

			@Override
			public IStreamMonitor getOutputStreamMonitor() {
				return out;
			}

			@Override
			public void write(String input) {
				// The restarted program's standard input is not connected.
			}
		};
	}

	@Override
	public void setAttribute(String key, String value) {
		attributes.put(key, value);
	}

	@Override
	public String getAttribute(String key) {
		return attributes.get(key);
	}

	@Override
	public int getExitValue() {
		return 0;
	}

	@Override
	public <T> T getAdapter(Class<T> adapter) {
		return null;
	}

	@Override
	public boolean canTerminate() {
		return !terminated;
	}

	@Override
	public boolean isTerminated() {
		return terminated;
	}

	@Override
	public void terminate() {
		program.kill();
	}

	/** The text of one stream, for listeners that come late (the console) and those already there. */
	private static final class Monitor implements IStreamMonitor {
		private final StringBuilder contents = new StringBuilder();
		private final List<IStreamListener> listeners = new CopyOnWriteArrayList<>();

		synchronized void append(String text) {
			contents.append(text);
			if (contents.length() > 1 << 20) {
				contents.delete(0, contents.length() - (1 << 20));
			}
			for (IStreamListener l : listeners) {
				l.streamAppended(text, this);
			}
		}

		@Override
		public synchronized void addListener(IStreamListener listener) {
			listeners.add(listener);
		}

		@Override
		public synchronized String getContents() {
			return contents.toString();
		}

		@Override
		public void removeListener(IStreamListener listener) {
			listeners.remove(listener);
		}
	}
}
