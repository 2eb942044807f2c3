"""Residents: binding to a community and a home, roles, invite codes."""

from handlers.residents.dialog import router

__all__ = ["router"]
