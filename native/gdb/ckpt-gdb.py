# ckpt gdb extension (placeholder until the gdb front door lands).
