"""What a serving process imports before its first request: not what only a rare request needs (openpyxl
for the workbooks, 5 MB), nor what jieba would load only to find its own files (pkg_resources, 8 MB)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_preload_leaves_out_what_a_rare_request_needs() -> None:
    code = (
        "import sys, handlers, bot.app; from bot.config import load_settings; handlers.features(); "
        "bot.app.classifier(); print(' '.join(m for m in ('openpyxl', 'pkg_resources') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""
