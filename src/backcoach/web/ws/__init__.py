"""The WebSockets: live camera coaching (``/ws/coach/{session_id}``, ``/ws/practice/{id}``)."""
