"""The window: the only package that imports PySide6 / qasync.

Widgets drive the Qt-free services (``core``, ``media``, ``jobs``, ``library``) through the
qasync loop: network work is awaited, CPU work runs in an executor, only plain data and
``QImage`` come back to the GUI thread.
"""
