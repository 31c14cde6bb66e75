package io.ckpt.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ckpt.core.DumpMode;
import io.ckpt.core.Engine;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotOrigin;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.SnapshotStoreListener.Kind;
import io.ckpt.core.tests.util.TestPrograms;

/** The snapshot store on real statefiles: listing, origins, change events, lazy contents, 1000 files. */
class SnapshotStoreTest {

	@TempDir
	static Path shared;

	private static Path statefile;

	@TempDir
	Path dir;

	private SnapshotStore store;
	private final List<String> events = new ArrayList<>();
	private final Set<Path> withMetadata = ConcurrentHashMap.newKeySet();

	@BeforeAll
	static void makeAStatefile() throws Exception {
		Path exe = TestPrograms.compileLoop(shared);
		Process p = TestPrograms.startLoop(exe, 0, shared.resolve("out.txt")); //$NON-NLS-1$
		statefile = shared.resolve("loop.ckpt"); //$NON-NLS-1$
		Engine.dump(p.pid(), statefile, DumpMode.KILL, null);
	}

	@BeforeEach
	void newStore() {
		store = new SnapshotStore();
		store.addListener((kind, snapshots) -> {
			synchronized (events) {
				for (Snapshot s : snapshots) {
					events.add(kind + " " + s.path().getFileName());
				}
			}
			if (kind == Kind.METADATA) {
				snapshots.forEach(s -> withMetadata.add(s.path()));
			}
		});
	}

	@AfterEach
	void dispose() {
		store.dispose();
	}

	@Test
	void listsWhatIsThereAndFollowsChangesOnDisk() throws Exception {
		Files.copy(statefile, dir.resolve("a.ckpt")); //$NON-NLS-1$
		Files.writeString(dir.resolve("notes.txt"), "not a statefile"); //$NON-NLS-1$ //$NON-NLS-2$
		store.addDirectory(dir, "proj"); //$NON-NLS-1$
		assertEquals(List.of("a"), names()); //$NON-NLS-1$
		assertEquals("proj", store.snapshots().get(0).project()); //$NON-NLS-1$
		assertTrue(hasEvent("ADDED a.ckpt")); //$NON-NLS-1$

		// Written by someone else (gdb, the command line): the store sees it without a refresh.
		Files.copy(statefile, dir.resolve("b.ckpt")); //$NON-NLS-1$
		waitFor(() -> hasEvent("ADDED b.ckpt"), "b.ckpt was not noticed"); //$NON-NLS-1$ //$NON-NLS-2$
		Files.delete(dir.resolve("a.ckpt")); //$NON-NLS-1$
		waitFor(() -> hasEvent("REMOVED a.ckpt"), "the deletion of a.ckpt was not noticed"); //$NON-NLS-1$ //$NON-NLS-2$
		assertEquals(List.of("b"), names()); //$NON-NLS-1$
	}

	@Test
	void aDirectoryThatDoesNotExistYetIsWatchedFromItsParent() throws Exception {
		Path later = dir.resolve(".snapshots"); //$NON-NLS-1$
		store.addDirectory(later, null);
		assertTrue(store.snapshots().isEmpty());
		Files.createDirectories(later);
		Thread.sleep(300);
		Files.copy(statefile, later.resolve("c.ckpt")); //$NON-NLS-1$
		waitFor(() -> hasEvent("ADDED c.ckpt"), "c.ckpt in a new directory was not noticed"); //$NON-NLS-1$ //$NON-NLS-2$
	}

	@Test
	void aDirectoryThatIsRemovedAndMadeAgainIsStillFollowed() throws Exception {
		Path sub = Files.createDirectories(dir.resolve("sub")); //$NON-NLS-1$
		Files.copy(statefile, sub.resolve("a.ckpt")); //$NON-NLS-1$
		store.addDirectory(sub, null);
		assertEquals(List.of("a"), names()); //$NON-NLS-1$
		Files.delete(sub.resolve("a.ckpt")); //$NON-NLS-1$
		Files.delete(sub);
		waitFor(() -> hasEvent("REMOVED a.ckpt"), "the removal of the directory was not noticed"); //$NON-NLS-1$ //$NON-NLS-2$
		Files.createDirectories(sub);
		Thread.sleep(300);
		Files.copy(statefile, sub.resolve("b.ckpt")); //$NON-NLS-1$
		waitFor(() -> hasEvent("ADDED b.ckpt"), "b.ckpt in the directory made again was not noticed"); //$NON-NLS-1$ //$NON-NLS-2$
	}

	@Test
	void anOriginsFileWithNullsAndADamagedLineIsRead() throws Exception {
		Files.copy(statefile, dir.resolve("kept.ckpt")); //$NON-NLS-1$
		Files.copy(statefile, dir.resolve("damaged.ckpt")); //$NON-NLS-1$
		// As earlier versions wrote it (members that are null written out), and a line nobody can read.
		Files.writeString(dir.resolve(SnapshotStore.ORIGINS_FILE),
				"kept.ckpt={\"session\":\"loop [C/C++ Application]\",\"configuration\":\"loop\",\"type\":null,\"started\":null}\n" //$NON-NLS-1$
						+ "damaged.ckpt={\"session\":\n"); //$NON-NLS-1$
		store.addDirectory(dir, null);
		assertEquals(new SnapshotOrigin("loop [C/C++ Application]", "loop", null, null), //$NON-NLS-1$ //$NON-NLS-2$
				store.find(dir.resolve("kept.ckpt")).orElseThrow().origin()); //$NON-NLS-1$
		assertEquals(null, store.find(dir.resolve("damaged.ckpt")).orElseThrow().origin()); //$NON-NLS-1$
	}

	@Test
	void originsAreKeptBesideTheStatefiles() throws Exception {
		Path file = dir.resolve("saved.ckpt"); //$NON-NLS-1$
		Files.copy(statefile, file);
		Instant started = Instant.parse("2026-11-28T20:00:00Z"); //$NON-NLS-1$
		SnapshotOrigin origin = new SnapshotOrigin("loop [C/C++ Application] 20:00:00", "loop", //$NON-NLS-1$ //$NON-NLS-2$
				"org.eclipse.cdt.launch.applicationLaunchType", started); //$NON-NLS-1$
		Snapshot s = store.add(file, origin, "proj"); //$NON-NLS-1$
		assertEquals(origin, s.origin());
		assertEquals(List.of(dir), store.directories());
		assertTrue(Files.isRegularFile(dir.resolve(SnapshotStore.ORIGINS_FILE)));

		SnapshotStore again = new SnapshotStore();
		try {
			again.addDirectory(dir, "proj"); //$NON-NLS-1$
			assertEquals(origin, again.find(file).orElseThrow().origin());
		} finally {
			again.dispose();
		}

		store.delete(List.of(s));
		assertFalse(Files.exists(file));
		assertTrue(store.snapshots().isEmpty());
		assertTrue(hasEvent("REMOVED saved.ckpt")); //$NON-NLS-1$
	}

	@Test
	void contentsAreReadLazilyAndCached() throws Exception {
		Files.copy(statefile, dir.resolve("good.ckpt")); //$NON-NLS-1$
		Files.writeString(dir.resolve("bad.ckpt"), "garbage"); //$NON-NLS-1$ //$NON-NLS-2$
		store.addDirectory(dir, null);
		Snapshot good = store.find(dir.resolve("good.ckpt")).orElseThrow(); //$NON-NLS-1$
		Snapshot bad = store.find(dir.resolve("bad.ckpt")).orElseThrow(); //$NON-NLS-1$
		assertFalse(store.isMetadataCached(good), "read before anyone asked"); //$NON-NLS-1$

		store.requestMetadata(store.snapshots());
		waitFor(() -> withMetadata.size() == 2, "contents were not read"); //$NON-NLS-1$
		assertEquals("loop", store.cachedMetadata(good).orElseThrow().programName()); //$NON-NLS-1$
		assertTrue(store.cachedMetadata(bad).isEmpty());
		String error = store.cachedError(bad).orElseThrow();
		assertFalse(error.isBlank() || error.contains("\n"), error); //$NON-NLS-1$
	}

	@Test
	void aThousandStatefiles() throws Exception {
		for (int i = 0; i < 1000; i++) {
			Files.createLink(dir.resolve(String.format("s%04d.ckpt", i)), statefile); //$NON-NLS-1$
		}
		long t0 = System.nanoTime();
		store.addDirectory(dir, null);
		long listed = System.nanoTime();
		assertEquals(1000, store.snapshots().size());
		store.requestMetadata(store.snapshots());
		waitFor(() -> withMetadata.size() == 1000, "not all 1000 were read"); //$NON-NLS-1$
		long read = System.nanoTime();
		System.out.printf("1000 statefiles: listed in %d ms, contents read in %d ms%n", (listed - t0) / 1_000_000, //$NON-NLS-1$
				(read - listed) / 1_000_000);
		assertTrue(listed - t0 < 2_000_000_000L, "listing 1000 statefiles took more than 2 s"); //$NON-NLS-1$
		// Cached now: asking again reads nothing.
		withMetadata.clear();
		store.requestMetadata(store.snapshots());
		Thread.sleep(300);
		assertTrue(withMetadata.isEmpty());
	}

	@Test
	void snapshotDirectoryIsConfigurable() throws Exception {
		org.eclipse.core.resources.IProject p = org.eclipse.core.resources.ResourcesPlugin.getWorkspace().getRoot()
				.getProject("configured"); //$NON-NLS-1$
		if (!p.exists()) {
			p.create(null);
		}
		p.open(null);
		Path location = p.getLocation().toPath();
		var prefs = io.ckpt.core.internal.CorePreferences.node();
		try {
			assertEquals(location.resolve(".snapshots"), SnapshotStore.directoryFor("configured")); //$NON-NLS-1$ //$NON-NLS-2$
			prefs.put(io.ckpt.core.internal.CorePreferences.SNAPSHOT_DIRECTORY, "saved/states"); //$NON-NLS-1$
			assertEquals(location.resolve("saved/states"), SnapshotStore.directoryFor("configured")); //$NON-NLS-1$ //$NON-NLS-2$
			prefs.put(io.ckpt.core.internal.CorePreferences.SNAPSHOT_DIRECTORY, dir.toString());
			assertEquals(dir, SnapshotStore.directoryFor("configured")); //$NON-NLS-1$
			// A launch's own directory wins over the preference.
			assertEquals(location.resolve("mine"), SnapshotStore.directoryFor("configured", "mine")); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		} finally {
			prefs.remove(io.ckpt.core.internal.CorePreferences.SNAPSHOT_DIRECTORY);
			p.delete(true, true, null);
		}
	}

	private List<String> names() {
		return store.snapshots().stream().map(Snapshot::name).sorted().toList();
	}

	private boolean hasEvent(String e) {
		synchronized (events) {
			return events.contains(e);
		}
	}

	private static void waitFor(BooleanSupplier condition, String message) throws InterruptedException {
		long deadline = System.currentTimeMillis() + 15_000;
		while (!condition.getAsBoolean()) {
			if (System.currentTimeMillis() > deadline) {
				throw new AssertionError(message);
			}
			Thread.sleep(20);
		}
	}
}
