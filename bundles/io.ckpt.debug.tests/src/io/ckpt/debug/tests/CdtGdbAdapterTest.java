package io.ckpt.debug.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.lsp4j.debug.Capabilities;
import org.eclipse.lsp4j.debug.DisconnectArguments;
import org.eclipse.lsp4j.debug.InitializeRequestArguments;
import org.eclipse.lsp4j.debug.OutputEventArguments;
import org.eclipse.lsp4j.debug.Scope;
import org.eclipse.lsp4j.debug.ScopesArguments;
import org.eclipse.lsp4j.debug.StackFrame;
import org.eclipse.lsp4j.debug.StackTraceArguments;
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
 * saved function, file and line, and a local variable has its saved value.
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
		String js = System.getProperty("ckpt.test.dapAdapter"); //$NON-NLS-1$
		assertNotNull(js, "system property ckpt.test.dapAdapter is not set"); //$NON-NLS-1$
		assertTrue(Files.isRegularFile(Path.of(js)), js + " is missing: the build installs it with npm ci in bundles/io.ckpt.debug.tests/dap"); //$NON-NLS-1$
		Path node = TestPrograms.requireCommand("node"); //$NON-NLS-1$

		SavedAtABreakpoint saved = new SavedAtABreakpoint(dir);
		restarted = Engine.restartStopped(saved.statefile, null);
		assertEquals('T', TestPrograms.state(restarted.pid()));

		adapter = new ProcessBuilder(node.toString(), js).directory(dir.toFile())
				.redirectError(dir.resolve("adapter-stderr.txt").toFile()).start(); //$NON-NLS-1$
		StringBuilder console = new StringBuilder();
		IDebugProtocolClient client = new IDebugProtocolClient() {
			@Override
			public void output(OutputEventArguments args) {
				synchronized (console) {
					console.append(args.getOutput());
				}
			}
		};
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
		Capabilities caps = server.initialize(init).get(30, TimeUnit.SECONDS);
		assertNotNull(caps);

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

		ScopesArguments sa = new ScopesArguments();
		sa.setFrameId(top.getId());
		Map<String, String> locals = new HashMap<>();
		for (Scope scope : server.scopes(sa).get(30, TimeUnit.SECONDS).getScopes()) {
			VariablesArguments va = new VariablesArguments();
			va.setVariablesReference(scope.getVariablesReference());
			for (Variable v : server.variables(va).get(30, TimeUnit.SECONDS).getVariables()) {
				locals.put(v.getName(), v.getValue());
			}
		}
		// At the first stop, total = seed * 7 + 0 = 42, and the arguments are as called.
		assertEquals("42", locals.get("total"), "locals: " + locals); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		assertEquals("6", locals.get("seed"), "locals: " + locals); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$

		DisconnectArguments disconnect = new DisconnectArguments();
		disconnect.setTerminateDebuggee(true);
		server.disconnect(disconnect).get(30, TimeUnit.SECONDS);
	}
}
