"""The staff console: server-rendered pages for committees, grid workers and street offices (/console).

Transport only, like ``bot.api``: sessions, sign-in, CSRF, the audit log, templates and the Excel export;
the pages themselves are the slices' (``handlers/<slice>/console.py``).
"""
