"""Messenger adapters: each folder parses its payloads into ``Inbound`` and sends ``Outbound``.

Adapters import only ``channels.base`` and ``config``: no database, no rules (lint-imports).
"""
