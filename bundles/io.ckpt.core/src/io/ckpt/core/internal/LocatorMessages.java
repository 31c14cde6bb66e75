package io.ckpt.core.internal;

import java.text.MessageFormat;
import java.util.ResourceBundle;

/**
 * The user-visible text of finding and loading the engine, in {@code locator.properties} beside
 * this class. It is read with {@link ResourceBundle} rather than OSGi's NLS because this code also
 * runs on a plain class path, without OSGi ({@link EngineInfo}, which the demo runs).
 */
final class LocatorMessages {

	private static final ResourceBundle BUNDLE = ResourceBundle.getBundle("io.ckpt.core.internal.locator"); //$NON-NLS-1$

	private LocatorMessages() {
	}

	/** The message {@code key} with its {@code {n}} arguments filled in. */
	static String format(String key, Object... args) {
		return MessageFormat.format(BUNDLE.getString(key), args);
	}
}
