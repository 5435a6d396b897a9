"""WebSocket routes. Live features (Q&A, polls, presence) add theirs here."""

websocket_urlpatterns: list = []
