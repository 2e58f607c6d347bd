"""The corpus tool: real CinderX LIR, asm and code from the aarch64 target."""
