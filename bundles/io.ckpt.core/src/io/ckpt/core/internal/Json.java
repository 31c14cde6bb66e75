package io.ckpt.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer for the engine's and the gdb extension's one-line answers. Objects
 * become {@link LinkedHashMap}s, arrays {@link ArrayList}s, numbers {@link Long} (when integral) or
 * {@link Double}, and {@code null} stays {@code null}.
 */
public final class Json {

	private final String text;
	private int pos;

	private Json(String text) {
		this.text = text;
	}

	/**
	 * Parses one JSON value.
	 *
	 * @throws IllegalArgumentException naming the offset, when the text is not JSON
	 */
	public static Object parse(String text) {
		Json json = new Json(text);
		json.skipSpace();
		Object value = json.value();
		json.skipSpace();
		if (json.pos != text.length()) {
			throw json.error("trailing characters"); //$NON-NLS-1$
		}
		return value;
	}

	/** Parses a JSON object. */
	@SuppressWarnings("unchecked")
	public static Map<String, Object> parseObject(String text) {
		Object value = parse(text);
		if (!(value instanceof Map)) {
			throw new IllegalArgumentException("not a JSON object: " + abbreviate(text)); //$NON-NLS-1$
		}
		return (Map<String, Object>) value;
	}

	private Object value() {
		if (pos >= text.length()) {
			throw error("unexpected end"); //$NON-NLS-1$
		}
		char c = text.charAt(pos);
		switch (c) {
		case '{':
			return object();
		case '[':
			return array();
		case '"':
			return string();
		case 't':
			return literal("true", Boolean.TRUE); //$NON-NLS-1$
		case 'f':
			return literal("false", Boolean.FALSE); //$NON-NLS-1$
		case 'n':
			return literal("null", null); //$NON-NLS-1$
		default:
			if (c == '-' || (c >= '0' && c <= '9')) {
				return number();
			}
			throw error("unexpected '" + c + "'"); //$NON-NLS-1$ //$NON-NLS-2$
		}
	}

	private Map<String, Object> object() {
		Map<String, Object> map = new LinkedHashMap<>();
		pos++;
		skipSpace();
		if (peek('}')) {
			pos++;
			return map;
		}
		while (true) {
			skipSpace();
			if (!peek('"')) {
				throw error("expected a member name"); //$NON-NLS-1$
			}
			String key = string();
			skipSpace();
			expect(':');
			skipSpace();
			map.put(key, value());
			skipSpace();
			if (peek(',')) {
				pos++;
			} else {
				expect('}');
				return map;
			}
		}
	}

	private List<Object> array() {
		List<Object> list = new ArrayList<>();
		pos++;
		skipSpace();
		if (peek(']')) {
			pos++;
			return list;
		}
		while (true) {
			skipSpace();
			list.add(value());
			skipSpace();
			if (peek(',')) {
				pos++;
			} else {
				expect(']');
				return list;
			}
		}
	}

	private String string() {
		StringBuilder sb = new StringBuilder();
		pos++;
		while (true) {
			if (pos >= text.length()) {
				throw error("unterminated string"); //$NON-NLS-1$
			}
			char c = text.charAt(pos++);
			if (c == '"') {
				return sb.toString();
			}
			if (c != '\\') {
				sb.append(c);
				continue;
			}
			if (pos >= text.length()) {
				throw error("unterminated escape"); //$NON-NLS-1$
			}
			char e = text.charAt(pos++);
			switch (e) {
			case 'b' -> sb.append('\b');
			case 'f' -> sb.append('\f');
			case 'n' -> sb.append('\n');
			case 'r' -> sb.append('\r');
			case 't' -> sb.append('\t');
			case 'u' -> {
				if (pos + 4 > text.length()) {
					throw error("short \\u escape"); //$NON-NLS-1$
				}
				try {
					sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
				} catch (NumberFormatException ex) {
					throw error("bad \\u escape"); //$NON-NLS-1$
				}
				pos += 4;
			}
			default -> sb.append(e);
			}
		}
	}

	private Object number() {
		int start = pos;
		if (peek('-')) {
			pos++;
		}
		boolean integral = true;
		while (pos < text.length()) {
			char c = text.charAt(pos);
			if (c >= '0' && c <= '9') {
				pos++;
			} else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
				integral = false;
				pos++;
			} else {
				break;
			}
		}
		String s = text.substring(start, pos);
		try {
			if (integral) {
				try {
					return Long.valueOf(s);
				} catch (NumberFormatException tooBig) {
					return Double.valueOf(s);
				}
			}
			return Double.valueOf(s);
		} catch (NumberFormatException e) {
			throw error("bad number " + s); //$NON-NLS-1$
		}
	}

	private Object literal(String word, Object value) {
		if (!text.startsWith(word, pos)) {
			throw error("unexpected word"); //$NON-NLS-1$
		}
		pos += word.length();
		return value;
	}

	private boolean peek(char c) {
		return pos < text.length() && text.charAt(pos) == c;
	}

	private void expect(char c) {
		if (!peek(c)) {
			throw error("expected '" + c + "'"); //$NON-NLS-1$ //$NON-NLS-2$
		}
		pos++;
	}

	private void skipSpace() {
		while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
			pos++;
		}
	}

	private IllegalArgumentException error(String what) {
		return new IllegalArgumentException("bad JSON at offset " + pos + ": " + what + " in " + abbreviate(text)); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
	}

	private static String abbreviate(String s) {
		return s.length() <= 120 ? s : s.substring(0, 117) + "..."; //$NON-NLS-1$
	}

	/** Writes a string as a JSON string literal. */
	public static String quote(String s) {
		StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			switch (c) {
			case '"' -> sb.append("\\\""); //$NON-NLS-1$
			case '\\' -> sb.append("\\\\"); //$NON-NLS-1$
			case '\n' -> sb.append("\\n"); //$NON-NLS-1$
			case '\r' -> sb.append("\\r"); //$NON-NLS-1$
			case '\t' -> sb.append("\\t"); //$NON-NLS-1$
			default -> {
				if (c < 0x20) {
					sb.append(String.format("\\u%04x", (int) c)); //$NON-NLS-1$
				} else {
					sb.append(c);
				}
			}
			}
		}
		return sb.append('"').toString();
	}

	/** Writes a flat object of strings, numbers, booleans and lists of those as one line. */
	public static String write(Map<String, ?> map) {
		StringBuilder sb = new StringBuilder("{"); //$NON-NLS-1$
		for (Map.Entry<String, ?> e : map.entrySet()) {
			if (sb.length() > 1) {
				sb.append(',');
			}
			sb.append(quote(e.getKey())).append(':');
			Object v = e.getValue();
			if (v instanceof List<?> list) {
				sb.append('[');
				for (int i = 0; i < list.size(); i++) {
					if (i > 0) {
						sb.append(',');
					}
					value(sb, list.get(i));
				}
				sb.append(']');
			} else {
				value(sb, v);
			}
		}
		return sb.append('}').toString();
	}

	private static void value(StringBuilder sb, Object v) {
		if (v == null) {
			sb.append("null"); //$NON-NLS-1$
		} else if (v instanceof Number || v instanceof Boolean) {
			sb.append(v);
		} else {
			sb.append(quote(v.toString()));
		}
	}

	// Typed accessors that tolerate absent members.

	public static String str(Map<String, Object> m, String key) {
		Object v = m.get(key);
		return v == null ? null : v.toString();
	}

	public static long num(Map<String, Object> m, String key, long dflt) {
		return m.get(key) instanceof Number n ? n.longValue() : dflt;
	}

	public static double dbl(Map<String, Object> m, String key, double dflt) {
		return m.get(key) instanceof Number n ? n.doubleValue() : dflt;
	}

	public static boolean bool(Map<String, Object> m, String key, boolean dflt) {
		return m.get(key) instanceof Boolean b ? b : dflt;
	}

	@SuppressWarnings("unchecked")
	public static Map<String, Object> obj(Map<String, Object> m, String key) {
		return m.get(key) instanceof Map<?, ?> o ? (Map<String, Object>) o : Map.of();
	}

	@SuppressWarnings("unchecked")
	public static List<Object> list(Map<String, Object> m, String key) {
		return m.get(key) instanceof List<?> l ? (List<Object>) l : List.of();
	}
}
