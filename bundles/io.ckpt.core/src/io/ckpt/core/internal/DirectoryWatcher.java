package io.ckpt.core.internal;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Follows directories on disk and says when one of them needs to be listed again: a file it cares
 * about appeared, changed or went, the directory itself was created, or it was removed. A
 * directory that does not exist (yet) is followed from its parent until it does. One daemon
 * thread serves all directories; it starts with the first one.
 */
public final class DirectoryWatcher implements AutoCloseable {

	/** The keys of one followed directory: its own, or its parent's while it does not exist. */
	private static final class Watch {
		WatchKey key;
		WatchKey parentKey;
	}

	private final Predicate<String> relevantName;
	private final Consumer<Path> changed;
	private final Map<Path, Watch> watches = new HashMap<>();
	private WatchService service;

	/**
	 * @param relevantName which file names in a followed directory matter
	 * @param changed      told, on the watching thread, of a directory to list again
	 */
	public DirectoryWatcher(Predicate<String> relevantName, Consumer<Path> changed) {
		this.relevantName = relevantName;
		this.changed = changed;
	}

	/**
	 * Follows {@code dir} (absolute and normalized), or follows it again when its registration
	 * was lost. Does nothing for a directory that cannot be watched: it is still listed on refresh.
	 */
	public synchronized void watch(Path dir) {
		Watch w = watches.computeIfAbsent(dir, d -> new Watch());
		try {
			if (service == null) {
				WatchService ws = FileSystems.getDefault().newWatchService();
				service = ws;
				Thread thread = new Thread(() -> watchLoop(ws), "ckpt snapshot directories"); //$NON-NLS-1$
				thread.setDaemon(true);
				thread.start();
			}
			if (Files.isDirectory(dir)) {
				if (w.key == null || !w.key.isValid()) {
					w.key = dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
				}
			} else if (dir.getParent() != null && Files.isDirectory(dir.getParent())
					&& (w.parentKey == null || !w.parentKey.isValid())) {
				w.parentKey = parentKey(dir.getParent());
			}
		} catch (IOException e) {
			// not watchable
		}
	}

	/**
	 * A key that tells of directories created in {@code parent}. When the parent is followed
	 * itself, its key does already; registering it again would replace its kinds of events.
	 */
	private WatchKey parentKey(Path parent) throws IOException {
		Watch own = watches.get(parent);
		if (own != null && own.key != null && own.key.isValid()) {
			return own.key;
		}
		return parent.register(service, ENTRY_CREATE);
	}

	/** Stops following {@code dir}. */
	public synchronized void unwatch(Path dir) {
		Watch w = watches.remove(dir);
		if (w == null) {
			return;
		}
		cancelUnlessShared(w.key);
		cancelUnlessShared(w.parentKey);
	}

	private void cancelUnlessShared(WatchKey key) {
		if (key == null) {
			return;
		}
		for (Watch other : watches.values()) {
			if (other.key == key || other.parentKey == key) {
				return;
			}
		}
		key.cancel();
	}

	/** Stops following every directory and ends the watching thread. */
	@Override
	public synchronized void close() {
		watches.clear();
		if (service != null) {
			try {
				service.close();
			} catch (IOException e) {
				// closing anyway
			}
			service = null;
		}
	}

	private void watchLoop(WatchService ws) {
		while (true) {
			WatchKey key;
			try {
				key = ws.take();
			} catch (InterruptedException | ClosedWatchServiceException e) {
				return;
			}
			Path watched = (Path) key.watchable();
			Set<Path> toList = new LinkedHashSet<>();
			synchronized (this) {
				for (WatchEvent<?> event : key.pollEvents()) {
					if (event.kind() == OVERFLOW) { // events were lost: look at everything this key covers
						if (watches.containsKey(watched)) {
							toList.add(watched);
						}
						for (Path dir : Set.copyOf(watches.keySet())) {
							if (watched.equals(dir.getParent())) {
								watch(dir);
								toList.add(dir);
							}
						}
						continue;
					}
					Path name = (Path) event.context();
					if (watches.containsKey(watched) && relevantName.test(name.toString())) {
						toList.add(watched);
					}
					// A followed directory that did not exist yet was created in a watched parent.
					Path child = watched.resolve(name);
					if (watches.containsKey(child)) {
						watch(child);
						toList.add(child);
					}
				}
				if (!key.reset()) {
					// The directory itself went away: follow its parent until it comes back.
					Watch w = watches.get(watched);
					if (w != null) {
						w.key = null;
						watch(watched);
						toList.add(watched);
					}
				}
			}
			toList.forEach(changed);
		}
	}
}
