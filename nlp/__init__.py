"""Pure language functions: tokenize, classify intent, extract slots. No I/O beyond what callers pass in."""
