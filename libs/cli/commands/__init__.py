"""The commands, one module per resource; each `register(app)` adds its commands to the `reelforge` app."""
