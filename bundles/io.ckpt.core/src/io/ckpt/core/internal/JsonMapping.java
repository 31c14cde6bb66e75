package io.ckpt.core.internal;

import org.eclipse.osgi.util.NLS;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;

/**
 * How ckpt reads and writes the one-line JSON of the engine, of the gdb extension's control
 * socket and of the origins file: with Gson, onto records whose component names are the JSON
 * member names in camel case ({@code freeze_ms} is {@code freezeMs}). Members that a record does
 * not name are ignored; members that the JSON lacks come out as 0, {@code false} or {@code null}.
 */
public final class JsonMapping {

	private static final Gson GSON = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
			.setStrictness(Strictness.STRICT).disableHtmlEscaping().create();

	private JsonMapping() {
	}

	/**
	 * Reads one JSON object into a record.
	 *
	 * @throws IllegalArgumentException when the text is not a JSON object of that shape
	 */
	public static <T> T read(String json, Class<T> type) {
		T value;
		try {
			value = GSON.fromJson(json, type);
		} catch (JsonParseException e) {
			throw new IllegalArgumentException(NLS.bind(Messages.JsonMapping_notRead, e.getMessage(), abbreviate(json)), e);
		}
		if (value == null) { // Gson's answer for empty text and for "null"
			throw new IllegalArgumentException(NLS.bind(Messages.JsonMapping_notAnObject, abbreviate(json)));
		}
		return value;
	}

	/** Writes a record (or a map) as one line of JSON; {@code null} members are left out. */
	public static String write(Object value) {
		return GSON.toJson(value);
	}

	private static String abbreviate(String s) {
		return s == null ? "null" : s.length() <= 120 ? s : s.substring(0, 117) + "..."; //$NON-NLS-1$ //$NON-NLS-2$
	}
}
