"""Events (what a room group shows), recurrence, exceptions and holiday skipping."""
