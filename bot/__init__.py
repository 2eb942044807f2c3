"""Transports and plumbing: WeChat, HTTP and the terminal. Knows no feature."""
