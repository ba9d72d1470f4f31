"""``livedesk bench``: load a fresh server on 127.0.0.1 and record what it sustains.

The server runs as its own process (``livedesk serve``), on a database made for the run;
the load generator runs here, on raw asyncio HTTP/1.1 keep-alive connections and the
``websockets`` client, and reports its own CPU beside the server's so that a saturated
generator is visible. Two ceiling apps (``ceiling.py``) take the same load for comparison.
"""
