// The harnesses' entry points (FuzzMain.c); nothing to call from Swift.
