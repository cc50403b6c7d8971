"""The sandbox payment gateway: a stand-in for a card-payment company that runs as its own process.

It is outside the platform: it keeps its own database, shares no code with the platform, and the platform
reaches it only over HTTP (its protocol is in PROTOCOL.md), as it would reach a real gateway.
"""
