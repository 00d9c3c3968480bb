"""Qt-free job runner: a persisted queue with concurrency, resume, cancel and retry."""
