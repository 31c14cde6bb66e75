package io.ckpt.core.internal;

import com.sun.jna.Native;

import io.ckpt.core.EngineNotFoundException;

/**
 * The loaded engine: where it was found and its JNA binding. Created once, on first use.
 */
public final class NativeEngine {

	private static NativeEngine instance;
	private static String instanceOverride = ""; //$NON-NLS-1$

	private final EngineLocation location;
	private final CkptLibrary library;

	private NativeEngine(EngineLocation location, CkptLibrary library) {
		this.location = location;
		this.library = library;
	}

	/**
	 * Returns the engine, locating and loading it on the first call.
	 *
	 * @throws EngineNotFoundException if no engine is found or libckpt cannot be loaded
	 */
	public static synchronized NativeEngine get() {
		String override = EngineLocator.currentOverride();
		if (instance != null && !override.equals(instanceOverride)) {
			instance = null; // the engine path preference changed
		}
		if (instance == null) {
			instance = load(EngineLocator.locate());
			instanceOverride = override;
		}
		return instance;
	}

	/** Forgets the loaded engine, so that the next {@link #get()} locates it again (after a preference change). */
	public static synchronized void reset() {
		instance = null;
	}

	/**
	 * Loads libckpt from the given location, without caching it.
	 *
	 * @throws EngineNotFoundException if libckpt cannot be loaded
	 */
	public static NativeEngine load(EngineLocation location) {
		restoreExecuteBit(location);
		String path = location.library().toString();
		try {
			return new NativeEngine(location, Native.load(path, CkptLibrary.class));
		} catch (UnsatisfiedLinkError e) {
			throw new EngineNotFoundException(LocatorMessages.format("NativeEngine_notLoaded", location.home(), //$NON-NLS-1$
					location.source(), path, e.getMessage()), e);
		}
	}

	public EngineLocation location() {
		return location;
	}

	public CkptLibrary library() {
		return library;
	}

	public String version() {
		return library.ckpt_version();
	}

	public int formatVersion() {
		return library.ckpt_format_version();
	}

	/**
	 * Unpacking a bundle does not always keep file modes (the p2 touchpoint in the fragment's
	 * p2.inf restores it on install, but a test runtime or a copied plug-in folder may not have
	 * it): give {@code bin/ckpt} its execute bit back when the folder lets us.
	 */
	private static void restoreExecuteBit(EngineLocation location) {
		java.io.File cli = location.home().resolve("bin").resolve("ckpt").toFile(); //$NON-NLS-1$ //$NON-NLS-2$
		if (cli.isFile() && !cli.canExecute()) {
			cli.setExecutable(true, false);
		}
	}
}
