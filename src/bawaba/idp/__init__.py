"""The demo national identity provider: a real OpenID Connect provider that runs as its own process.

It stands for the state's digital-ID or a bank app. It is outside the platform: it shares no database or
code with it, and the platform reaches it only over HTTP, as it would reach the real one.
"""
