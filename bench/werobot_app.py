"""The peer: a WeRoBot bot in safe mode with WeRoBot's Redis session storage, what a developer would
otherwise write. Not a dependency of the project: ``pip install werobot gevent`` to run it.

Per message it does what WeRoBot does (verify, decrypt, parse, load the session from Redis, run the
handler, save the session, render, encrypt), and its handler answers a few keywords with the bot's own
sentences, keeps a three-step form in the session (the shape of a repair report), and echoes the rest
as the floor does. It has no database, no search, no per-user lock, no deduplication.

Served by gunicorn with one gthread worker (8 threads, one process like the bot's worker): the fastest of
the two tried, 975-1,039 msgs/s on the hot path against 605-635 for gevent's WSGI server (one event loop,
Redis made cooperative by monkey-patching; ``gevent`` below), so the peer gets its best showing.

    python bench/werobot_app.py PORT [gunicorn|gevent]     (REDIS_URL, WEROBOT_PREFIX from the environment)
"""

from __future__ import annotations

import os
import sys
from typing import Any

SERVER = (
    sys.argv[2]
    if __name__ == "__main__" and len(sys.argv) > 2
    else os.environ.get("WEROBOT_SERVER", "gunicorn")
)
if SERVER == "gevent":
    from gevent import monkey

    monkey.patch_all()

from pathlib import Path  # noqa: E402

import redis  # noqa: E402
import werobot  # noqa: E402
from werobot.session.redisstorage import RedisStorage  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import content  # noqa: E402
from bench.safe_mode import AES_KEY, APPID, TOKEN  # noqa: E402


def build() -> Any:
    robot = werobot.WeRoBot(token=TOKEN, encoding_aes_key=AES_KEY, app_id=APPID)
    db = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    robot.config["SESSION_STORAGE"] = RedisStorage(db, prefix=os.environ.get("WEROBOT_PREFIX", "ws_"))
    menu = "\n".join(content.text(k) for k in ("common.greet", "common.menu_intro", "common.menu_footer"))
    words = {
        "你好": menu,
        "帮助": menu,
        "菜单": menu,
        "谢谢": content.text("common.thanks"),
        "取消": content.text("common.cancelled"),
    }

    @robot.text
    def answer(message: Any, session: dict[str, Any]) -> str:
        session["turns"] = session.get("turns", 0) + 1
        text = str(message.content).strip()
        if text == "取消":
            session.pop("form", None)
        elif "form" in session:
            session["form"].append(text)
            if len(session["form"]) >= 4:
                return "收到：" + "/".join(session.pop("form"))
            return "收到：" + text
        elif text.endswith("坏了"):
            session["form"] = [text]
        return words.get(text) or "收到：" + text

    return robot


robot = build()
app = robot.wsgi  # for gunicorn: gunicorn -k gthread bench.werobot_app:app

if __name__ == "__main__":
    port = int(sys.argv[1])
    if SERVER == "gevent":
        from gevent.pywsgi import WSGIServer

        WSGIServer(("127.0.0.1", port), app, log=None, error_log=None).serve_forever()
    else:
        os.environ["WEROBOT_SERVER"] = "gunicorn"
        os.execvp(
            sys.executable,
            [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", "8",
             "-b", f"127.0.0.1:{port}", "--chdir", str(Path(__file__).resolve().parent.parent),
             "bench.werobot_app:app"],
        )  # fmt: skip
