package io.ckpt.core.internal;

import io.ckpt.core.EngineNotFoundException;

/**
 * Prints what the Java side sees of the engine. Used by the demo script on a plain class path:
 * {@code java -cp io.ckpt.core.jar:com.sun.jna.jar -Dckpt.home=native/build io.ckpt.core.internal.EngineInfo}.
 */
public final class EngineInfo {

	private EngineInfo() {
	}

	public static void main(String[] args) {
		try {
			// NativeEngine, not Engine: Engine's API uses Eclipse types that a plain class path lacks.
			NativeEngine engine = NativeEngine.get();
			System.out.println("ckpt " + engine.version() + " (statefile format " + engine.formatVersion() //$NON-NLS-1$ //$NON-NLS-2$
					+ ") via JNA from " + engine.location().library()); //$NON-NLS-1$
		} catch (EngineNotFoundException e) {
			System.err.println(e.getMessage());
			System.exit(1);
		}
	}
}
