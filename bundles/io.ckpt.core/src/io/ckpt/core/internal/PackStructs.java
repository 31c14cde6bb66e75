package io.ckpt.core.internal;

import org.eclipse.osgi.util.NLS;

import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/**
 * The structs of {@code ckpt_pack} and {@code ckpt_check_mapped} ({@code native/include/ckpt.h}), mirrored for JNA. Their
 * layouts are checked against the engine's {@code ckpt_struct_size} before each call (see
 * {@link #checkLayout}), so that an engine of another version fails with a clear line instead of
 * writing past the end of a struct.
 */
public final class PackStructs {

	private PackStructs() {
	}

	/** {@code struct ckpt_path_map}: a {@code --map-path OLD=NEW}. */
	@FieldOrder({ "from", "to" })
	public static class PathMap extends Structure {
		public String from;
		public String to;
	}

	/** {@code struct ckpt_pack_options}. */
	@FieldOrder({ "with_files", "max_open_file_size" })
	public static class Options extends Structure {
		public int with_files;
		public long max_open_file_size;
	}

	/** {@code struct ckpt_pack_result}. */
	@FieldOrder({ "files", "debug_files", "skipped_open_files", "embedded_bytes", "statefile_bytes", "file_bytes" })
	public static class Result extends Structure {
		public int files;
		public int debug_files;
		public int skipped_open_files;
		public long embedded_bytes;
		public long statefile_bytes;
		public long file_bytes;
	}

	/**
	 * The mismatch between a mirrored struct and the engine's, in words; {@code null} when their
	 * sizes agree.
	 */
	public static String checkLayout(CkptLibrary library, String name, Structure mirror) {
		long engine = library.ckpt_struct_size(name);
		if (engine == mirror.size()) {
			return null;
		}
		return NLS.bind(Messages.PackStructs_layout, new Object[] { name, Long.toString(engine), Integer.toString(mirror.size()) });
	}
}
