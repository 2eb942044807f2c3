"""The mini-program REST API (``/api/v1``): routes declared once, serving both aiohttp and the OpenAPI
document, so the two cannot drift. Feature slices declare their routes in their own ``api.py``."""
