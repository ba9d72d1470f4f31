"""livedesk: a self-hosted live-chat desk."""

__version__ = "0.1.0"
