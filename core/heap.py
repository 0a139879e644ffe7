"""The start-up heap kept out of Python's full garbage collections, once a process is up.

A full collection walks every object the collector tracks. A process that has just started holds
about 240,000 of them (modules, classes, the SDKs, the app and its plugins), which live as long as
the process, and a busy process runs a full collection every few seconds; each one stops the
process's event loop for as long as the walk takes, so every request and task in flight waits.
`settle()` collects once, then freezes what is left (`gc.freeze()`): later collections walk only
what was made after it.
"""

from __future__ import annotations

import functools
import gc


@functools.cache
def settle() -> int:
    """Collect, then keep every object alive now out of later collections; once per process.

    Answers how many objects were frozen. Call it when the process is up (its modules imported, its
    app built, its connections opened), before it takes work.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
