package io.ckpt.core.internal;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.ckpt.core.Engine;
import io.ckpt.core.EngineNotFoundException;
import io.ckpt.core.internal.EngineLocation.Source;

/**
 * Finds the engine directory: first in the platform fragment, then through the
 * {@value Engine#HOME_PROPERTY} system property, then through the {@value Engine#HOME_ENV}
 * environment variable.
 */
public final class EngineLocator {

	/** Folder inside the platform fragment that holds the engine's build output. */
	public static final String FRAGMENT_FOLDER = "engine"; //$NON-NLS-1$

	/** Symbolic name of the fragment that carries the engine for this platform. */
	public static final String FRAGMENT_ID = "io.ckpt.core.linux.x86_64"; //$NON-NLS-1$

	private EngineLocator() {
	}

	/** Finds the engine the running system should use. */
	public static EngineLocation locate() {
		String override = preferenceOverride();
		if (override != null && !override.isBlank()) {
			List<String> tried = new ArrayList<>();
			Optional<EngineLocation> found = candidate(override,
					LocatorMessages.format("EngineLocator_preference", CorePreferences.ENGINE_HOME), Source.PREFERENCE, tried); //$NON-NLS-1$
			// An override that does not hold an engine is an error, not a reason to use another one.
			return found.orElseThrow(() -> new EngineNotFoundException(
					LocatorMessages.format("EngineLocator_overrideNotFound", tried.get(0)))); //$NON-NLS-1$
		}
		return locate(fragmentFolder(), System.getProperty(Engine.HOME_PROPERTY), System.getenv(Engine.HOME_ENV));
	}

	/** The engine path override in force, or an empty string. */
	static String currentOverride() {
		String o = preferenceOverride();
		return o == null ? "" : o.trim(); //$NON-NLS-1$
	}

	private static String preferenceOverride() {
		try {
			return CorePreferences.engineHome();
		} catch (LinkageError e) {
			// Not running inside OSGi: there are no preferences.
			return null;
		}
	}

	private static Optional<Path> fragmentFolder() {
		try {
			return FragmentLookup.engineFolder();
		} catch (LinkageError e) {
			// Not running inside OSGi (no org.osgi.framework or equinox.common): there is no fragment.
			return Optional.empty();
		}
	}

	/**
	 * Finds the engine from the given candidates; each may be {@code null} or empty.
	 *
	 * @param fragmentHome the fragment's engine folder, when the fragment is installed
	 * @param property     value of the {@value Engine#HOME_PROPERTY} system property
	 * @param env          value of the {@value Engine#HOME_ENV} environment variable
	 * @throws EngineNotFoundException naming every place that was tried, when none holds an engine
	 */
	public static EngineLocation locate(Optional<Path> fragmentHome, String property, String env) {
		List<String> tried = new ArrayList<>();
		if (fragmentHome.isPresent()) {
			Path home = fragmentHome.get();
			if (isEngineHome(home)) {
				return new EngineLocation(home, Source.FRAGMENT);
			}
			tried.add(LocatorMessages.format("EngineLocator_fragmentEmpty", FRAGMENT_ID, home)); //$NON-NLS-1$
		} else {
			tried.add(LocatorMessages.format("EngineLocator_fragmentMissing", FRAGMENT_ID)); //$NON-NLS-1$
		}
		Optional<EngineLocation> found = candidate(property,
				LocatorMessages.format("EngineLocator_systemProperty", Engine.HOME_PROPERTY), Source.SYSTEM_PROPERTY, tried); //$NON-NLS-1$
		if (found.isEmpty()) {
			found = candidate(env, LocatorMessages.format("EngineLocator_environment", Engine.HOME_ENV), //$NON-NLS-1$
					Source.ENVIRONMENT, tried);
		}
		return found.orElseThrow(() -> new EngineNotFoundException(LocatorMessages.format("EngineLocator_notFound", //$NON-NLS-1$
				String.join(LocatorMessages.format("EngineLocator_triedSeparator"), tried), Engine.HOME_PROPERTY, //$NON-NLS-1$
				Engine.HOME_ENV)));
	}

	private static Optional<EngineLocation> candidate(String value, String what, Source source, List<String> tried) {
		if (value == null || value.isBlank()) {
			tried.add(LocatorMessages.format("EngineLocator_candidateNotSet", what)); //$NON-NLS-1$
			return Optional.empty();
		}
		Path home;
		try {
			home = Path.of(value.trim()).toAbsolutePath().normalize();
		} catch (InvalidPathException e) {
			tried.add(LocatorMessages.format("EngineLocator_candidateInvalid", what, value)); //$NON-NLS-1$
			return Optional.empty();
		}
		if (!isEngineHome(home)) {
			tried.add(LocatorMessages.format("EngineLocator_candidateEmpty", what, home)); //$NON-NLS-1$
			return Optional.empty();
		}
		return Optional.of(new EngineLocation(home, source));
	}

	/** Tells whether {@code dir} looks like an engine directory. */
	public static boolean isEngineHome(Path dir) {
		return Files.isRegularFile(dir.resolve("lib").resolve("libckpt.so")); //$NON-NLS-1$ //$NON-NLS-2$
	}
}
