package io.ckpt.core.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

import io.ckpt.core.Engine;
import io.ckpt.core.EngineException;
import io.ckpt.core.Snapshot;
import io.ckpt.core.Statefile;

/**
 * The contents of statefiles ({@link Engine#inspect}), or why a file is not a valid one, read
 * when someone asks and kept while the file's size and time are unchanged. Reading in the
 * background runs in one system job, which reports what it read in batches.
 */
public final class MetadataCache {

	private static final int BATCH_SIZE = 100;
	private static final long BATCH_NANOS = 200_000_000L;

	/** What one read found. */
	private record Entry(long size, Instant modified, Statefile statefile, String error) {
		boolean describes(Snapshot s) {
			return size == s.size() && Objects.equals(modified, s.modified());
		}
	}

	private final Map<Path, Entry> entries = new ConcurrentHashMap<>();
	private final ArrayDeque<Snapshot> queue = new ArrayDeque<>();
	private final Set<Path> queued = new LinkedHashSet<>();
	private final Predicate<Snapshot> stillWanted;
	private final Consumer<List<Snapshot>> batchRead;
	private final Job job;

	/**
	 * @param stillWanted whether a queued statefile is still worth reading when its turn comes
	 * @param batchRead   told, on the job's thread, of statefiles whose contents are now cached
	 */
	public MetadataCache(Predicate<Snapshot> stillWanted, Consumer<List<Snapshot>> batchRead) {
		this.stillWanted = stillWanted;
		this.batchRead = batchRead;
		job = Job.create(Messages.MetadataCache_job, this::readQueued);
		job.setSystem(true);
	}

	/** The contents, if they have been read already and the file is unchanged. */
	public Optional<Statefile> cached(Snapshot s) {
		Entry e = valid(s);
		return e == null ? Optional.empty() : Optional.ofNullable(e.statefile());
	}

	/** Why the file is not a valid statefile, if it has been read and found so. */
	public Optional<String> cachedError(Snapshot s) {
		Entry e = valid(s);
		return e == null ? Optional.empty() : Optional.ofNullable(e.error());
	}

	/** Whether the file has been read (successfully or not) since it last changed. */
	public boolean isCached(Snapshot s) {
		return valid(s) != null;
	}

	/** The contents, read now on the calling thread unless they are cached. */
	public Statefile get(Snapshot s) throws EngineException {
		Entry e = valid(s);
		if (e == null) {
			e = read(s);
		}
		if (e.statefile() == null) {
			throw new EngineException(e.error());
		}
		return e.statefile();
	}

	/** Queues these statefiles for the background job, unless they are cached or queued already. */
	public void request(Collection<Snapshot> wanted) {
		boolean any = false;
		synchronized (queue) {
			for (Snapshot s : wanted) {
				if (valid(s) == null && queued.add(s.path())) {
					queue.add(s);
					any = true;
				}
			}
		}
		if (any) {
			job.schedule();
		}
	}

	/** Drops what is known about a file (it was deleted). */
	public void forget(Path path) {
		entries.remove(path);
	}

	/** Stops reading in the background. */
	public void dispose() {
		job.cancel();
	}

	private Entry valid(Snapshot s) {
		Entry e = entries.get(s.path());
		return e != null && e.describes(s) ? e : null;
	}

	private Entry read(Snapshot s) {
		Entry e;
		try {
			e = new Entry(s.size(), s.modified(), Engine.inspect(s.path()), null);
		} catch (EngineException ex) {
			e = new Entry(s.size(), s.modified(), null, ex.getReason());
		} catch (RuntimeException ex) { // the engine is not found
			e = new Entry(s.size(), s.modified(), null, String.valueOf(ex.getMessage()));
		}
		entries.put(s.path(), e);
		return e;
	}

	private IStatus readQueued(IProgressMonitor monitor) {
		List<Snapshot> batch = new ArrayList<>();
		long lastReport = System.nanoTime();
		while (!monitor.isCanceled()) {
			Snapshot s;
			synchronized (queue) {
				s = queue.poll();
				if (s != null) {
					queued.remove(s.path());
				}
			}
			if (s == null) {
				break;
			}
			if (stillWanted.test(s) && valid(s) == null) {
				read(s);
				batch.add(s);
			}
			if (batch.size() >= BATCH_SIZE || System.nanoTime() - lastReport > BATCH_NANOS) {
				report(batch);
				batch = new ArrayList<>();
				lastReport = System.nanoTime();
			}
		}
		report(batch);
		return Status.OK_STATUS;
	}

	private void report(List<Snapshot> batch) {
		if (!batch.isEmpty()) {
			batchRead.accept(List.copyOf(batch));
		}
	}
}
