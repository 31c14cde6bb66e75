package io.ckpt.core.internal;

import com.sun.jna.Native;

import io.ckpt.core.EngineNotFoundException;

/**
 * The loaded engine: where it was found and its JNA binding. Created once, on first use.
 */
public final class NativeEngine {

	private static NativeEngine instance;

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
		if (instance == null) {
			instance = load(EngineLocator.locate());
		}
		return instance;
	}

	/**
	 * Loads libckpt from the given location, without caching it.
	 *
	 * @throws EngineNotFoundException if libckpt cannot be loaded
	 */
	public static NativeEngine load(EngineLocation location) {
		String path = location.library().toString();
		try {
			return new NativeEngine(location, Native.load(path, CkptLibrary.class));
		} catch (UnsatisfiedLinkError e) {
			throw new EngineNotFoundException("ckpt engine found at " + location.home() + " (" //$NON-NLS-1$ //$NON-NLS-2$
					+ location.source() + ") but " + path + " could not be loaded: " + e.getMessage(), e); //$NON-NLS-1$ //$NON-NLS-2$
		}
	}

	public EngineLocation location() {
		return location;
	}

	public String version() {
		return library.ckpt_version();
	}

	public int formatVersion() {
		return library.ckpt_format_version();
	}
}
