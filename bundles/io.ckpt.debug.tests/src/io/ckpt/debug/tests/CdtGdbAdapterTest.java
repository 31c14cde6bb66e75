package io.ckpt.debug.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.lsp4j.debug.Breakpoint;
import org.eclipse.lsp4j.debug.Capabilities;
import org.eclipse.lsp4j.debug.ConfigurationDoneArguments;
import org.eclipse.lsp4j.debug.ContinueArguments;
import org.eclipse.lsp4j.debug.DisconnectArguments;
import org.eclipse.lsp4j.debug.EvaluateArguments;
import org.eclipse.lsp4j.debug.EvaluateArgumentsContext;
import org.eclipse.lsp4j.debug.InitializeRequestArguments;
import org.eclipse.lsp4j.debug.OutputEventArguments;
import org.eclipse.lsp4j.debug.Scope;
import org.eclipse.lsp4j.debug.ScopesArguments;
import org.eclipse.lsp4j.debug.SetBreakpointsArguments;
import org.eclipse.lsp4j.debug.Source;
import org.eclipse.lsp4j.debug.SourceBreakpoint;
import org.eclipse.lsp4j.debug.StackFrame;
import org.eclipse.lsp4j.debug.StackTraceArguments;
import org.eclipse.lsp4j.debug.StoppedEventArguments;
import org.eclipse.lsp4j.debug.Thread;
import org.eclipse.lsp4j.debug.Variable;
import org.eclipse.lsp4j.debug.VariablesArguments;
import org.eclipse.lsp4j.debug.launch.DSPLauncher;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ckpt.core.Engine;
import io.ckpt.core.RestartedProgram;
import io.ckpt.core.tests.util.TestPrograms;

/**
 * CDT's real GDB debug adapter (npm cdt-gdb-adapter, run with node) attaches to a program that
 * ckpt restarted stopped, driven over the Debug Adapter Protocol with LSP4J: the top frame is the
 * saved function, file and line, and a local variable has its saved value.  And in a session
 * that the adapter launched, {@code ckpt back} typed in its console puts the program back in
 * place: the adapter reports a stop at the saved line with the saved locals, same pid.
 */
class CdtGdbAdapterTest {

	@TempDir
	Path dir;

	private RestartedProgram restarted;
	private Process adapter;

	@AfterEach
	void stop() {
		if (adapter != null) {
			adapter.destroyForcibly();
		}
		if (restarted != null) {
			restarted.kill();
		}
	}

	@Test
	void adapterAttachesToTheRestartedProgramAtTheSavedPlace() throws Exception {
		SavedAtABreakpoint saved = new SavedAtABreakpoint(dir);
		restarted = Engine.restartStopped(saved.statefile, null);
		assertEquals('T', TestPrograms.state(restarted.pid()));

		Client client = new Client();
		StringBuilder console = client.console;
		IDebugProtocolServer server = startAdapter(client);

		Map<String, Object> attach = new HashMap<>();
		attach.put("processId", Integer.toString(restarted.pid())); //$NON-NLS-1$
		attach.put("program", saved.exe.toString()); //$NON-NLS-1$
		server.attach(attach).get(60, TimeUnit.SECONDS);

		Thread[] threads = server.threads().get(30, TimeUnit.SECONDS).getThreads();
		assertEquals(2, threads.length, "threads after attach"); //$NON-NLS-1$
		StackFrame top = null;
		for (Thread t : threads) {
			StackTraceArguments st = new StackTraceArguments();
			st.setThreadId(t.getId());
			StackFrame[] frames = server.stackTrace(st).get(30, TimeUnit.SECONDS).getStackFrames();
			if (frames.length > 0 && frames[0].getName().startsWith("work")) { //$NON-NLS-1$
				top = frames[0];
			}
		}
		assertNotNull(top, "no thread stopped in work(); console: " + console); //$NON-NLS-1$
		assertTrue(top.getName().startsWith("work"), top.getName()); //$NON-NLS-1$
		assertEquals("loop.c", Path.of(top.getSource().getPath()).getFileName().toString()); //$NON-NLS-1$
		assertEquals(saved.line, top.getLine());

		Map<String, String> locals = locals(server, top);
		// At the first stop, total = seed * 7 + 0 = 42, and the arguments are as called.
		assertEquals("42", locals.get("total"), "locals: " + locals); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		assertEquals("6", locals.get("seed"), "locals: " + locals); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$

		DisconnectArguments disconnect = new DisconnectArguments();
		disconnect.setTerminateDebuggee(true);
		server.disconnect(disconnect).get(30, TimeUnit.SECONDS);
	}

	@Test
	void goBackInPlaceIsAStopTheAdapterShows() throws Exception {
		Path exe = TestPrograms.compileLoop(dir);
		int line = TestPrograms.breakLine();
		Client client = new Client();
		BlockingQueue<StoppedEventArguments> stops = client.stops;
		StringBuilder console = client.console;
		IDebugProtocolServer server = startAdapter(client);

		Map<String, Object> launch = new HashMap<>();
		launch.put("program", exe.toString()); //$NON-NLS-1$
		launch.put("arguments", "0 1000"); //$NON-NLS-1$ //$NON-NLS-2$
		launch.put("gdb", TestPrograms.requireCommand("gdb").toString()); //$NON-NLS-1$ //$NON-NLS-2$
		launch.put("initCommands", List.of("source " + Engine.gdbExtension())); //$NON-NLS-1$ //$NON-NLS-2$
		server.launch(launch).get(60, TimeUnit.SECONDS);
		SetBreakpointsArguments bp = new SetBreakpointsArguments();
		Source source = new Source();
		source.setPath(dir.resolve("loop.c").toString()); //$NON-NLS-1$
		bp.setSource(source);
		SourceBreakpoint at = new SourceBreakpoint();
		at.setLine(line);
		bp.setBreakpoints(new SourceBreakpoint[] { at });
		Breakpoint[] set = server.setBreakpoints(bp).get(30, TimeUnit.SECONDS).getBreakpoints();
		assertTrue(set.length == 1 && set[0].isVerified(), "breakpoint not set; console: " + console); //$NON-NLS-1$
		server.configurationDone(new ConfigurationDoneArguments()).get(30, TimeUnit.SECONDS);

		// First hit (i = 0, total 42): saved.  Second hit (total 43).  Then back to the first.
		StoppedEventArguments first = nextStop(stops, console);
		StackFrame top = topFrame(server, first.getThreadId());
		assertEquals("42", locals(server, top).get("total")); //$NON-NLS-1$
		int pid = pid(server, top, console);
		String saved = cli(server, top, "ckpt save " + dir.resolve("first.ckpt")); //$NON-NLS-1$ //$NON-NLS-2$
		assertTrue(Files.isRegularFile(dir.resolve("first.ckpt")), "not saved: " + saved + console); //$NON-NLS-1$ //$NON-NLS-2$
		resume(server, first.getThreadId());
		StoppedEventArguments second = nextStop(stops, console);
		top = topFrame(server, second.getThreadId());
		assertEquals("43", locals(server, top).get("total")); //$NON-NLS-1$

		String back = cli(server, top, "ckpt back"); //$NON-NLS-1$
		StoppedEventArguments backStop = nextStop(stops, console);
		synchronized (console) {
			assertTrue(console.toString().contains("(first.ckpt): in place, "), "ckpt back did not go in place: " + back + console); //$NON-NLS-1$ //$NON-NLS-2$
		}
		top = topFrame(server, backStop.getThreadId());
		assertTrue(top.getName().startsWith("work"), top.getName()); //$NON-NLS-1$
		assertEquals(line, top.getLine());
		Map<String, String> atBack = locals(server, top);
		assertEquals("42", atBack.get("total"), "locals: " + atBack); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		assertEquals("0", atBack.get("i"), "locals: " + atBack); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		assertEquals(pid, pid(server, top, console), "Go Back in place keeps the process"); //$NON-NLS-1$

		// The program goes on from there as it did the first time.
		resume(server, backStop.getThreadId());
		top = topFrame(server, nextStop(stops, console).getThreadId());
		assertEquals("43", locals(server, top).get("total")); //$NON-NLS-1$

		DisconnectArguments disconnect = new DisconnectArguments();
		disconnect.setTerminateDebuggee(true);
		server.disconnect(disconnect).get(30, TimeUnit.SECONDS);
	}

	/** What the adapter tells us: its console output and its stopped events. */
	private static final class Client implements IDebugProtocolClient {
		final StringBuilder console = new StringBuilder();
		final BlockingQueue<StoppedEventArguments> stops = new LinkedBlockingQueue<>();

		@Override
		public void output(OutputEventArguments args) {
			synchronized (console) {
				console.append(args.getOutput());
			}
		}

		@Override
		public void stopped(StoppedEventArguments args) {
			stops.add(args);
		}
	}

	private IDebugProtocolServer startAdapter(IDebugProtocolClient client) throws Exception {
		String js = System.getProperty("ckpt.test.dapAdapter"); //$NON-NLS-1$
		assertNotNull(js, "system property ckpt.test.dapAdapter is not set"); //$NON-NLS-1$
		assertTrue(Files.isRegularFile(Path.of(js)), js + " is missing: the build installs it with npm ci in bundles/io.ckpt.debug.tests/dap"); //$NON-NLS-1$
		Path node = TestPrograms.requireCommand("node"); //$NON-NLS-1$
		ProcessBuilder pb = new ProcessBuilder(node.toString(), js).directory(dir.toFile())
				.redirectError(dir.resolve("adapter-stderr.txt").toFile()); //$NON-NLS-1$
		// The extension's debug lines reach the console (gdb's stderr): a failure says why.
		pb.environment().put("CKPT_DEBUG", "1"); //$NON-NLS-1$ //$NON-NLS-2$
		adapter = pb.start();
		Launcher<IDebugProtocolServer> launcher = DSPLauncher.createClientLauncher(client, adapter.getInputStream(),
				adapter.getOutputStream());
		launcher.startListening();
		IDebugProtocolServer server = launcher.getRemoteProxy();
		InitializeRequestArguments init = new InitializeRequestArguments();
		init.setClientID("ckpt-tests"); //$NON-NLS-1$
		init.setAdapterID("gdb"); //$NON-NLS-1$
		init.setLinesStartAt1(true);
		init.setColumnsStartAt1(true);
		init.setPathFormat("path"); //$NON-NLS-1$
		assertNotNull(server.initialize(init).get(30, TimeUnit.SECONDS));
		return server;
	}

	private static StoppedEventArguments nextStop(BlockingQueue<StoppedEventArguments> stops, StringBuilder console)
			throws InterruptedException {
		StoppedEventArguments stop = stops.poll(90, TimeUnit.SECONDS);
		synchronized (console) {
			assertNotNull(stop, "no stopped event from the adapter; console: " + console); //$NON-NLS-1$
		}
		return stop;
	}

	private static StackFrame topFrame(IDebugProtocolServer server, int threadId) throws Exception {
		StackTraceArguments st = new StackTraceArguments();
		st.setThreadId(threadId);
		StackFrame[] frames = server.stackTrace(st).get(30, TimeUnit.SECONDS).getStackFrames();
		assertTrue(frames.length > 0, "no frames in thread " + threadId); //$NON-NLS-1$
		return frames[0];
	}

	private static Map<String, String> locals(IDebugProtocolServer server, StackFrame frame) throws Exception {
		ScopesArguments sa = new ScopesArguments();
		sa.setFrameId(frame.getId());
		Map<String, String> locals = new HashMap<>();
		for (Scope scope : server.scopes(sa).get(30, TimeUnit.SECONDS).getScopes()) {
			VariablesArguments va = new VariablesArguments();
			va.setVariablesReference(scope.getVariablesReference());
			for (Variable v : server.variables(va).get(30, TimeUnit.SECONDS).getVariables()) {
				locals.put(v.getName(), v.getValue());
			}
		}
		return locals;
	}

	/** A gdb command typed in the adapter's debug console ({@code >} makes it a CLI command). */
	private static String cli(IDebugProtocolServer server, StackFrame frame, String command) throws Exception {
		EvaluateArguments ev = new EvaluateArguments();
		ev.setExpression("> " + command); //$NON-NLS-1$
		ev.setContext(EvaluateArgumentsContext.REPL);
		ev.setFrameId(frame.getId());
		return String.valueOf(server.evaluate(ev).get(120, TimeUnit.SECONDS).getResult());
	}

	private static int pid(IDebugProtocolServer server, StackFrame frame, StringBuilder console) throws Exception {
		int from;
		synchronized (console) {
			from = console.length();
		}
		String answer = cli(server, frame, "python print('inferior pid', gdb.selected_inferior().pid)"); //$NON-NLS-1$
		Pattern p = Pattern.compile("inferior pid (\\d+)"); //$NON-NLS-1$
		for (int i = 0; i < 50; i++) {
			String text;
			synchronized (console) {
				text = answer + console.substring(from);
			}
			Matcher m = p.matcher(text);
			if (m.find()) {
				return Integer.parseInt(m.group(1));
			}
			java.lang.Thread.sleep(100);
		}
		throw new AssertionError("no pid in the console: " + answer); //$NON-NLS-1$
	}

	private static void resume(IDebugProtocolServer server, int threadId) throws Exception {
		ContinueArguments c = new ContinueArguments();
		c.setThreadId(threadId);
		server.continue_(c).get(30, TimeUnit.SECONDS);
	}
}
