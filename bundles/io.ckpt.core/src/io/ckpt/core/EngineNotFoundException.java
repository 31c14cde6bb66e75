package io.ckpt.core;

/**
 * Thrown when the native ckpt engine cannot be found or cannot be loaded. The message says where
 * ckpt looked and how to point it at an engine.
 */
public class EngineNotFoundException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public EngineNotFoundException(String message) {
		super(message);
	}

	public EngineNotFoundException(String message, Throwable cause) {
		super(message, cause);
	}
}
