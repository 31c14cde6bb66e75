/**
 * ckpt core API: access to the native checkpoint/restart engine.
 * Types in {@code io.ckpt.core.internal} are not API.
 */
package io.ckpt.core;
