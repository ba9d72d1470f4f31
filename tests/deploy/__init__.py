"""Deployment tests: livedesk nodes as separate processes, behind nginx, on one PostgreSQL
and one Redis, as ``docs/operations.md`` describes them. Every child process is stopped on
the way out, whatever the test left running."""
