package io.ckpt.ui.internal.views;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

import org.eclipse.debug.core.ILaunch;
import org.eclipse.jface.viewers.ITableLabelProvider;
import org.eclipse.jface.viewers.LabelProvider;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.graphics.Image;

import io.ckpt.core.Annotation;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.Statefile;
import io.ckpt.core.StopLocation;
import io.ckpt.debug.TimeTravel;
import io.ckpt.debug.Timeline;
import io.ckpt.ui.internal.Messages;

/**
 * The columns of a Snapshots view row. What the file system knows is shown at once; the contents
 * of a statefile come from the store's cache, and a row that is shown asks for them when they are
 * not there yet (they are read in the background, and the row is updated when they arrive).
 */
final class SnapshotsLabelProvider extends LabelProvider implements ITableLabelProvider {

	/** Shown while a statefile's contents are being read. */
	static final String PENDING = "\u2026"; //$NON-NLS-1$

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss") //$NON-NLS-1$
			.withZone(ZoneId.systemDefault());

	private final SnapshotStore store;
	private final SnapshotGroups groups;

	SnapshotsLabelProvider(SnapshotStore store, SnapshotGroups groups) {
		this.store = store;
		this.groups = groups;
	}

	@Override
	public Image getColumnImage(Object element, int column) {
		return null;
	}

	@Override
	public String getColumnText(Object element, int column) {
		SnapshotColumn c = SnapshotColumn.values()[column];
		if (element instanceof SnapshotGroup g) {
			return groupText(g, c);
		}
		return element instanceof Snapshot s ? snapshotText(s, c) : ""; //$NON-NLS-1$
	}

	private static String groupText(SnapshotGroup g, SnapshotColumn column) {
		return switch (column) {
		case NAME -> g.snapshots().size() == 1 ? NLS.bind(Messages.SnapshotsLabelProvider_groupOfOne, g.label())
				: NLS.bind(Messages.SnapshotsLabelProvider_group, g.label(), Integer.toString(g.snapshots().size()));
		case TIME -> TIME.format(g.latest());
		default -> ""; //$NON-NLS-1$
		};
	}

	private String snapshotText(Snapshot s, SnapshotColumn column) {
		if (column == SnapshotColumn.NAME) {
			return s.name();
		}
		if (column == SnapshotColumn.TIME) {
			return TIME.format(groups.time(s));
		}
		Optional<Statefile> contents = store.cachedMetadata(s);
		boolean read = contents.isPresent() || store.isMetadataCached(s);
		if (!read) {
			store.requestMetadata(List.of(s)); // read lazily: only rows that are shown ask
		}
		Statefile f = contents.orElse(null);
		return switch (column) {
		case PROGRAM -> f != null ? f.programName()
				: store.cachedError(s).map(e -> NLS.bind(Messages.SnapshotsLabelProvider_invalid, e)).orElse(PENDING);
		case STOP_LOCATION -> f == null ? (read ? "" : PENDING) : stop(f.stop()); //$NON-NLS-1$
		case THREADS -> f == null ? "" : Integer.toString(f.threads()); //$NON-NLS-1$
		case SIZE -> human(f != null && f.allocatedBytes() > 0 ? f.allocatedBytes() : s.size());
		case ORIGIN -> origin(s, f);
		case LABEL -> label(f);
		case TIMELINE -> timeline(s, f == null ? null : f.annotation());
		default -> ""; //$NON-NLS-1$
		};
	}

	/** What made it, and whether retention keeps it. */
	private String origin(Snapshot s, Statefile f) {
		String origin = f == null || f.annotation() == null ? "" : f.annotation().origin(); //$NON-NLS-1$
		if (!store.isPinned(s)) {
			return origin;
		}
		return origin.isEmpty() ? Messages.SnapshotsLabelProvider_pinned
				: NLS.bind(Messages.SnapshotsLabelProvider_originPinned, origin);
	}

	static String label(Statefile f) {
		return f == null || f.annotation() == null ? "" : f.annotation().label(); //$NON-NLS-1$
	}

	/**
	 * {@code #5 after #2, branch 2}, with ▶ where the program is (▷: it ran on from there), for
	 * a session ckpt follows; else the number and parent its annotation records.
	 */
	private String timeline(Snapshot s, Annotation a) {
		ILaunch session = TimeTravel.sessionOf(s.path());
		Timeline t = session == null ? null : TimeTravel.timeline(session);
		Timeline.Entry e = t == null ? null : t.find(s.path());
		StringBuilder text = new StringBuilder();
		if (e != null) {
			if (t.current() == e.num()) {
				text.append(t.atCurrent() ? "\u25b6 " : "\u25b7 "); //$NON-NLS-1$ //$NON-NLS-2$
			}
			text.append('#').append(e.num());
			if (e.parent() > 0) {
				text.append(NLS.bind(Messages.SnapshotsLabelProvider_after, Integer.toString(e.parent())));
			}
			text.append(NLS.bind(Messages.SnapshotsLabelProvider_branch, Integer.toString(e.branch())));
			return text.toString();
		}
		if (a == null || a.sequence() <= 0) {
			return ""; //$NON-NLS-1$
		}
		text.append('#').append(a.sequence());
		if (a.parent() != null) {
			store.find(s.path().resolveSibling(a.parent())).flatMap(store::cachedMetadata).map(Statefile::annotation)
					.ifPresent(p -> text.append(NLS.bind(Messages.SnapshotsLabelProvider_after, Integer.toString(p.sequence()))));
		}
		return text.toString();
	}

	/** {@code function (file:line)}, or the nearest symbol when the debugger did not say. */
	static String stop(StopLocation stop) {
		return stop == null ? "" : stop.display(); //$NON-NLS-1$
	}

	static String human(long bytes) {
		String[] units = { "B", "KiB", "MiB", "GiB", "TiB" }; //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
		double v = bytes;
		int u = 0;
		while (v >= 1024 && u < units.length - 1) {
			v /= 1024;
			u++;
		}
		return u == 0 ? bytes + " B" : String.format("%.1f %s", v, units[u]); //$NON-NLS-1$ //$NON-NLS-2$
	}
}
