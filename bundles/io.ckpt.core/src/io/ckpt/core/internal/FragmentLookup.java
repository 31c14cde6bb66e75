package io.ckpt.core.internal;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Optional;

import org.eclipse.core.runtime.FileLocator;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

import io.ckpt.core.Engine;

/**
 * Looks for the engine folder among the entries of this bundle and its fragments. Kept apart from
 * {@link EngineLocator} so that the core can also be used on a plain class path (without OSGi), as
 * the demo script does.
 */
final class FragmentLookup {

	private FragmentLookup() {
	}

	static Optional<Path> engineFolder() {
		Bundle bundle = FrameworkUtil.getBundle(Engine.class);
		if (bundle == null) {
			return Optional.empty();
		}
		// FileLocator.find on the host also sees the entries of attached fragments.
		URL entry = FileLocator.find(bundle, new org.eclipse.core.runtime.Path(EngineLocator.FRAGMENT_FOLDER + "/"), //$NON-NLS-1$
				null);
		if (entry == null) {
			return Optional.empty();
		}
		try {
			// For a directory-shaped fragment this is the folder itself; for a jar, a cached copy.
			URL file = FileLocator.toFileURL(entry);
			return Optional.of(new File(file.getPath()).toPath().toAbsolutePath().normalize());
		} catch (IOException e) {
			return Optional.empty();
		}
	}
}
