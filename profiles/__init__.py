"""The profiles shipped with kvalitet, installed as `kvalitet_profiles.<code>`."""
