"""The audit trail of admin actions: who did what to which object, when."""
