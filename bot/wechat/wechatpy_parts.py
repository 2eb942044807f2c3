"""The parts of wechatpy the bot uses (its AES crypto, its XML parser and message types), without the
package's ``__init__``, which imports every API client, payments and ``requests``: about 7 MB in every
serving process for code the bot never runs (it calls WeChat's API with aiohttp, bot/wechat/client.py).

The ``wechatpy`` package module is made from its spec without running it, so that its submodules import
as usual; the names its ``__init__`` defines (``WeChatClient``, ``create_reply``...) run the real one the
first time one is asked for. Where wechatpy was imported already, nothing changes.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from typing import Any


def _package_without_init() -> None:
    if "wechatpy" in sys.modules:
        return
    spec = importlib.util.find_spec("wechatpy")
    if spec is None or spec.loader is None:
        return
    package = importlib.util.module_from_spec(spec)
    lock = threading.Lock()
    ran = False

    def __getattr__(name: str) -> Any:  # only for a name the module does not have yet
        nonlocal ran
        with lock:
            if not ran:
                ran = True
                spec.loader.exec_module(package)  # type: ignore[union-attr]
        if name in package.__dict__:
            return package.__dict__[name]
        raise AttributeError(f"module 'wechatpy' has no attribute {name!r}")

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules["wechatpy"] = package


_package_without_init()

from wechatpy.crypto import WeChatCrypto  # noqa: E402
from wechatpy.messages import BaseMessage  # noqa: E402
from wechatpy.parser import parse_message  # noqa: E402

__all__ = ["BaseMessage", "WeChatCrypto", "parse_message"]
