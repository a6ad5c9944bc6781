def user_group(user_id: int) -> str:
    """The channel-layer group that reaches one person's open notification sockets."""
    return f"notifications.user.{user_id}"
