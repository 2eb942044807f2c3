"""The WeChat transport: the Official Account callback and the outbound API client."""
