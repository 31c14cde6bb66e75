package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.core.runtime.Platform;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * The user-visible text of ckpt's bundles is all there: every NLS message field has its line in
 * its messages.properties and the other way round, and every %key of a plugin.xml or a manifest
 * has its line in the bundle's localization file.
 */
class LocalizationTest {

	private static final Pattern PERCENT_KEY = Pattern.compile("%([A-Za-z][\\w.]*)"); //$NON-NLS-1$

	@Test
	void everyMessageFieldHasItsTextAndEveryTextItsField() throws Exception {
		for (Class<?> messages : new Class<?>[] { io.ckpt.core.internal.Messages.class,
				io.ckpt.debug.internal.Messages.class, io.ckpt.ui.internal.Messages.class }) {
			Properties texts = new Properties();
			try (InputStream in = messages.getResourceAsStream("messages.properties")) { //$NON-NLS-1$
				assertNotNull(in, "no messages.properties beside " + messages.getName()); //$NON-NLS-1$
				texts.load(in);
			}
			Set<String> fields = new TreeSet<>();
			for (Field f : messages.getFields()) {
				if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
					fields.add(f.getName());
					String text = (String) f.get(null);
					assertNotNull(text, messages.getName() + "." + f.getName()); //$NON-NLS-1$
					assertFalse(text.startsWith("NLS missing message"), messages.getName() + "." + f.getName()); //$NON-NLS-1$ //$NON-NLS-2$
				}
			}
			assertEquals(fields, new TreeSet<>(texts.stringPropertyNames()), messages.getName());
		}
	}

	@Test
	void everyKeyOfPluginXmlAndTheManifestIsLocalized() throws IOException {
		String[][] bundles = { { "io.ckpt.core", "plugin" }, { "io.ckpt.debug", "plugin" }, { "io.ckpt.ui", "plugin" }, //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$
				{ "io.ckpt.core.linux.x86_64", "fragment" } }; //$NON-NLS-1$ //$NON-NLS-2$
		for (String[] b : bundles) {
			Bundle bundle = Platform.getBundle(b[0]);
			assertNotNull(bundle, b[0]);
			assertEquals(b[1], bundle.getHeaders("").get("Bundle-Localization"), b[0]); //$NON-NLS-1$ //$NON-NLS-2$
			Properties texts = new Properties();
			try (InputStream in = entry(bundle, b[1] + ".properties").openStream()) { //$NON-NLS-1$
				texts.load(in);
			}
			Set<String> keys = new TreeSet<>();
			keys.addAll(percentKeys(read(entry(bundle, "META-INF/MANIFEST.MF")))); //$NON-NLS-1$
			URL pluginXml = bundle.getEntry("plugin.xml"); //$NON-NLS-1$
			if (pluginXml != null) {
				keys.addAll(percentKeys(read(pluginXml)));
			}
			assertFalse(keys.isEmpty(), b[0]);
			for (String key : keys) {
				assertTrue(texts.containsKey(key), b[0] + ": %" + key + " is not in " + b[1] + ".properties"); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
			}
			String name = bundle.getHeaders().get("Bundle-Name"); //$NON-NLS-1$
			assertFalse(name.startsWith("%"), b[0] + " is named " + name); //$NON-NLS-1$ //$NON-NLS-2$
		}
	}

	private static URL entry(Bundle bundle, String path) {
		URL url = bundle.getEntry(path);
		assertNotNull(url, bundle.getSymbolicName() + " has no " + path); //$NON-NLS-1$
		return url;
	}

	private static String read(URL url) throws IOException {
		try (InputStream in = url.openStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static Set<String> percentKeys(String text) {
		Set<String> keys = new TreeSet<>();
		Matcher m = PERCENT_KEY.matcher(text);
		while (m.find()) {
			keys.add(m.group(1));
		}
		return keys;
	}
}
