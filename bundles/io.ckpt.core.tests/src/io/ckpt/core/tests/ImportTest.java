package io.ckpt.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ckpt.core.DumpMode;
import io.ckpt.core.Engine;
import io.ckpt.core.EngineException;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotOrigin;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.Statefile;
import io.ckpt.core.tests.util.TestPrograms;

/**
 * {@link SnapshotStore#importStatefile}: a statefile the real engine dumped elsewhere (a teammate's)
 * is copied into a snapshot directory under a free name, mode 0600, with its holes and its time,
 * and recorded as imported; what is no statefile is not copied, and a cancelled import leaves
 * nothing behind.
 */
class ImportTest {

	@TempDir
	static Path shared;

	private static Path statefile;

	@TempDir
	Path dir;

	private SnapshotStore store;

	@BeforeAll
	static void aTeammatesStatefile() throws Exception {
		Path exe = TestPrograms.compileLoop(shared);
		Process p = TestPrograms.startLoop(exe, 1, shared.resolve("out.txt")); //$NON-NLS-1$
		statefile = shared.resolve("bug.ckpt"); //$NON-NLS-1$
		Engine.dump(p.pid(), statefile, DumpMode.KILL, null);
		// As a teammate might hand it over: readable by others, written a while ago.
		Files.setPosixFilePermissions(statefile, PosixFilePermissions.fromString("rw-r--r--")); //$NON-NLS-1$
		Files.setLastModifiedTime(statefile, FileTime.from(Instant.parse("2026-11-20T10:15:30Z"))); //$NON-NLS-1$
	}

	@BeforeEach
	void newStore() {
		store = new SnapshotStore();
	}

	@AfterEach
	void dispose() {
		store.dispose();
	}

	@Test
	void aCopyUnderAFreeNameMode0600WithItsHolesAndItsTime() throws Exception {
		Path snapshots = dir.resolve(".snapshots"); // made by the import //$NON-NLS-1$
		store.addDirectory(snapshots, "proj"); //$NON-NLS-1$
		Instant before = Instant.now();
		Snapshot first = store.importStatefile(statefile, snapshots, "proj", null); //$NON-NLS-1$
		assertEquals(snapshots.resolve("bug.ckpt"), first.path()); //$NON-NLS-1$
		assertEquals("proj", first.project()); //$NON-NLS-1$
		assertEquals(-1, Files.mismatch(statefile, first.path()), "the copy differs from the original"); //$NON-NLS-1$
		assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.path()))); //$NON-NLS-1$
		assertEquals(Files.getLastModifiedTime(statefile), Files.getLastModifiedTime(first.path()));

		Statefile original = Engine.inspect(statefile);
		Statefile copy = Engine.inspect(first.path());
		assertTrue(original.allocatedBytes() < original.fileBytes(), "the original is not sparse"); //$NON-NLS-1$
		assertTrue(copy.allocatedBytes() <= original.allocatedBytes() + 64 * 1024,
				"the copy lost the holes: " + copy.allocatedBytes() + " bytes on disk, the original " + original.allocatedBytes()); //$NON-NLS-1$ //$NON-NLS-2$

		SnapshotOrigin origin = first.origin();
		assertTrue(origin.isImported(), String.valueOf(origin));
		assertEquals(statefile.toString(), origin.importedFrom());
		assertEquals(null, origin.session());
		assertFalse(origin.started().isBefore(before.minusSeconds(1)), origin.toString());

		// The name is taken now: the next import gets the first free one, and replaces nothing.
		Files.writeString(snapshots.resolve("bug-2.ckpt"), "someone else's"); //$NON-NLS-1$ //$NON-NLS-2$
		Snapshot second = store.importStatefile(statefile, snapshots, "proj", null); //$NON-NLS-1$
		assertEquals(snapshots.resolve("bug-3.ckpt"), second.path()); //$NON-NLS-1$
		assertEquals("someone else's", Files.readString(snapshots.resolve("bug-2.ckpt"))); //$NON-NLS-1$ //$NON-NLS-2$
		assertEquals(-1, Files.mismatch(statefile, first.path()));
		assertEquals(List.of(".ckpt-origins", "bug-2.ckpt", "bug-3.ckpt", "bug.ckpt"), names(snapshots), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$
				"a temporary file was left"); //$NON-NLS-1$

		// The origin is kept beside the statefiles, for the next store.
		SnapshotStore again = new SnapshotStore();
		try {
			again.addDirectory(snapshots, "proj"); //$NON-NLS-1$
			assertEquals(origin, again.find(first.path()).orElseThrow().origin());
		} finally {
			again.dispose();
		}
	}

	@Test
	void aStatefileThatIsThereAlreadyIsNotCopiedAgain() throws Exception {
		Path in = dir.resolve("in"); //$NON-NLS-1$
		Files.createDirectories(in);
		Path there = in.resolve("bug.ckpt"); //$NON-NLS-1$
		Files.copy(statefile, there);
		store.addDirectory(in, null);
		Snapshot s = store.importStatefile(there, in, null, null);
		assertEquals(there, s.path());
		assertEquals(List.of("bug.ckpt"), names(in)); //$NON-NLS-1$
	}

	@Test
	void whatIsNoStatefileIsNotCopied() throws Exception {
		Path text = dir.resolve("notes.ckpt"); //$NON-NLS-1$
		Files.writeString(text, "not a statefile\n".repeat(400)); //$NON-NLS-1$
		Path snapshots = dir.resolve("snapshots"); //$NON-NLS-1$
		EngineException e = assertThrows(EngineException.class, () -> store.importStatefile(text, snapshots, null, null));
		assertEquals(e.getReason(), e.getStatus().getMessage());
		assertFalse(e.getReason().contains("\n")); //$NON-NLS-1$
		assertFalse(Files.exists(snapshots.resolve("notes.ckpt"))); //$NON-NLS-1$
	}

	@Test
	void aCancelledImportLeavesNothing() throws Exception {
		assertTrue(Files.size(statefile) > 3 << 20, "the statefile is too small to cancel its copy half-way"); //$NON-NLS-1$
		Path snapshots = dir.resolve("snapshots"); //$NON-NLS-1$
		store.addDirectory(snapshots, null);
		// Cancelled once the copy has done a few MiB.
		NullProgressMonitor monitor = new NullProgressMonitor() {
			private int calls;

			@Override
			public void internalWorked(double work) {
				if (++calls == 3) {
					setCanceled(true);
				}
			}

			@Override
			public void worked(int work) {
				internalWorked(work);
			}
		};
		assertThrows(OperationCanceledException.class, () -> store.importStatefile(statefile, snapshots, null, monitor));
		assertTrue(monitor.isCanceled());
		assertEquals(List.of(), names(snapshots), "a cancelled import left files"); //$NON-NLS-1$
		assertTrue(store.snapshots().isEmpty());
	}

	private static List<String> names(Path d) throws Exception {
		if (!Files.isDirectory(d)) {
			return List.of();
		}
		try (Stream<Path> s = Files.list(d)) {
			return s.map(p -> p.getFileName().toString()).sorted().toList();
		}
	}
}
