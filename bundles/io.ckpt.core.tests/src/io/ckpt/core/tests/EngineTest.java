package io.ckpt.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

import io.ckpt.core.Engine;
import io.ckpt.core.EngineNotFoundException;
import io.ckpt.core.internal.EngineLocation;
import io.ckpt.core.internal.EngineLocation.Source;
import io.ckpt.core.internal.EngineLocator;
import io.ckpt.core.internal.NativeEngine;

/**
 * Runs inside the OSGi test runtime with the real engine: libckpt comes from the platform fragment
 * and is called through JNA. The expected answers come from the engine's own command line tool.
 */
class EngineTest {

	private static final Pattern VERSION = Pattern.compile("\\b(\\d+\\.\\d+\\.\\d+\\S*)"); //$NON-NLS-1$

	private static Path nativeBuild;
	private static String cliVersion;

	@BeforeAll
	static void askTheCommandLineTool() throws IOException, InterruptedException {
		String dir = System.getProperty("ckpt.test.nativeBuild"); //$NON-NLS-1$
		assertNotNull(dir, "system property ckpt.test.nativeBuild (the engine's build directory) is not set"); //$NON-NLS-1$
		nativeBuild = Path.of(dir);
		Path cli = nativeBuild.resolve("bin/ckpt"); //$NON-NLS-1$
		assertTrue(Files.isExecutable(cli), cli + " is missing or not executable: build the engine with make -C native"); //$NON-NLS-1$

		Process process = new ProcessBuilder(cli.toString(), "--version").redirectErrorStream(true).start(); //$NON-NLS-1$
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(process.waitFor(30, TimeUnit.SECONDS), "ckpt --version did not finish"); //$NON-NLS-1$
		assertEquals(0, process.exitValue(), "ckpt --version failed: " + output); //$NON-NLS-1$
		Matcher m = VERSION.matcher(output);
		if (!m.find()) {
			fail("no MAJOR.MINOR.PATCH version in the output of ckpt --version: " + output); //$NON-NLS-1$
		}
		cliVersion = m.group(1);
	}

	@Test
	void versionThroughJnaMatchesTheCommandLineTool() {
		assertEquals(cliVersion, Engine.version());
	}

	@Test
	void engineIsLoadedFromThePlatformFragment() {
		Bundle core = FrameworkUtil.getBundle(Engine.class);
		assertNotNull(core, "io.ckpt.core is not running as an OSGi bundle"); //$NON-NLS-1$

		EngineLocation location = NativeEngine.get().location();
		assertEquals(Source.FRAGMENT, location.source(), "engine found at " + location.home()); //$NON-NLS-1$
		assertEquals(EngineLocator.FRAGMENT_FOLDER, location.home().getFileName().toString());
		assertTrue(Files.isRegularFile(location.library()), location.library() + " is missing"); //$NON-NLS-1$
		assertTrue(Files.isRegularFile(Engine.executable()), Engine.executable() + " is missing"); //$NON-NLS-1$
		assertTrue(Files.isRegularFile(Engine.gdbExtension()), Engine.gdbExtension() + " is missing"); //$NON-NLS-1$
	}

	@Test
	void formatVersionIsPositive() {
		assertTrue(Engine.formatVersion() >= 1, "statefile format version " + Engine.formatVersion()); //$NON-NLS-1$
	}

	@Test
	void systemPropertyIsUsedWhenTheFragmentIsMissing() {
		EngineLocation location = EngineLocator.locate(Optional.empty(), nativeBuild.toString(), null);
		assertEquals(Source.SYSTEM_PROPERTY, location.source());
		assertEquals(cliVersion, NativeEngine.load(location).version());
	}

	@Test
	void environmentIsUsedWhenTheFragmentAndThePropertyAreMissing() {
		EngineLocation location = EngineLocator.locate(Optional.empty(), null, nativeBuild.toString());
		assertEquals(Source.ENVIRONMENT, location.source());
		assertEquals(cliVersion, NativeEngine.load(location).version());
	}

	@Test
	void missingEngineSaysWhereItLooked() {
		String nowhere = "/nonexistent/ckpt-home"; //$NON-NLS-1$
		EngineNotFoundException e = assertThrows(EngineNotFoundException.class,
				() -> EngineLocator.locate(Optional.empty(), nowhere, ""));
		String message = e.getMessage();
		assertTrue(message.contains(EngineLocator.FRAGMENT_ID), message);
		assertTrue(message.contains(Engine.HOME_PROPERTY + "=" + nowhere), message); //$NON-NLS-1$
		assertTrue(message.contains(Engine.HOME_ENV + " is not set"), message); //$NON-NLS-1$
	}
}
