"""What a serving process imports before its first request: not what only a rare request needs (openpyxl
for the workbooks, 5 MB), nor what jieba would load only to find its own files (pkg_resources, 8 MB), nor
wechatpy's API clients and ``requests`` (7 MB: the bot calls WeChat's API with aiohttp)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_preload_leaves_out_what_a_rare_request_needs() -> None:
    code = (
        "import sys, handlers, bot.app; handlers.features(); bot.app.classifier(); "
        "unwanted = ('openpyxl', 'pkg_resources', 'requests', 'wechatpy.client'); "
        "print(' '.join(m for m in unwanted if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""


def test_wechatpy_whole_when_asked_for() -> None:
    code = (
        "import sys, bot.wechat.protocol, wechatpy; assert 'wechatpy.client' not in sys.modules; "
        "from wechatpy import WeChatClient, create_reply; from wechatpy.replies import TextReply; "
        "print(wechatpy.__version__, WeChatClient.__name__, TextReply.__name__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split()[1:] == ["WeChatClient", "TextReply"]
