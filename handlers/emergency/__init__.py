"""Emergencies first: danger to life answered at once, before any binding or form, with the right number."""
