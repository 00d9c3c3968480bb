"""Qt-free core: the one table of limits, the request model, settings, paths, secrets, pricing."""
