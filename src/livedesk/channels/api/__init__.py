"""The generic API channel: any messenger posts customer messages in, replies are POSTed out."""

from livedesk.channels.api.adapter import (
    SIGNATURE_HEADER,
    ApiMessageIn,
    ApiSender,
    parse,
    sign,
    signing_key,
)

__all__ = ["SIGNATURE_HEADER", "ApiMessageIn", "ApiSender", "parse", "sign", "signing_key"]
