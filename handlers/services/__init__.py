"""办事查询: the community's public-service catalog, found from a free-text question, and its office hours."""
