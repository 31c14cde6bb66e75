package io.ckpt.core.internal;

import io.ckpt.core.EngineNotFoundException;

/**
 * Prints what the Java side sees of the engine. Used by the demo script on a plain class path:
 * {@code java --enable-native-access=ALL-UNNAMED -cp io.ckpt.core.jar:com.sun.jna.jar -Dckpt.home=native/build io.ckpt.core.internal.EngineInfo}
 * (the first option keeps Java 24 and newer from warning when JNA loads libckpt).
 */
public final class EngineInfo {

	private EngineInfo() {
	}

	public static void main(String[] args) {
		try {
			// NativeEngine, not Engine: Engine's API uses Eclipse types that a plain class path lacks.
			NativeEngine engine = NativeEngine.get();
			System.out.println(LocatorMessages.format("EngineInfo_version", engine.version(), //$NON-NLS-1$
					Integer.toString(engine.formatVersion()), engine.location().library()));
		} catch (EngineNotFoundException e) {
			System.err.println(e.getMessage());
			System.exit(1);
		}
	}
}
