"""``community-bot register template|import|export`` as a committee's operator uses it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from openpyxl import load_workbook

from handlers.register.import_sheets import PEOPLE
from tests.e2e.test_cli import ROOT, clean_env, cli
from tests.register_books import generated


def test_template_import_with_problems_then_corrected_and_export(tmp_path: Path) -> None:
    env = clean_env(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite://{tmp_path}/register.sqlite3")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return cli(*args, cwd=tmp_path, env=env)

    assert "created" in run("demo").stdout
    template = run("register", "template", "template.xlsx")
    assert template.returncode == 0 and (tmp_path / "template.xlsx").is_file()
    checked = run("register", "import", "--community", "xingfuli", "template.xlsx", "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert "检查通过" in checked.stdout and "居民：新增 3" in checked.stdout

    book = generated(120, 4)
    book.people[4][5] = "1391234567"  # row 6: a digit short
    book.people[9][0] = "12栋"  # row 11: xingfuli has no 12栋 (its 房屋 sheet lists 1-4)
    (tmp_path / "register.xlsx").write_bytes(book.xlsx())
    refused = run("register", "import", "--community", "xingfuli", "register.xlsx")
    assert refused.returncode == 1, refused.stderr
    out = refused.stdout
    assert "工作表" in out and "问题" in out
    assert "“1391234567”不是 11 位手机号。" in out and "社区里没有12栋" in out
    assert "表格里有 2 处问题，什么也没有导入" in out
    assert "Traceback" not in refused.stderr

    book.people[4][5] = "13912345670"
    book.people[9][0] = "1栋"
    (tmp_path / "register.xlsx").write_bytes(book.xlsx())
    imported = run("register", "import", "--community", "xingfuli", "register.xlsx")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "导入完成" in imported.stdout and f"居民：新增 {len(book.people)}" in imported.stdout

    exported = run("register", "export", "--community", "xingfuli", "export.xlsx")
    assert exported.returncode == 0, exported.stderr
    sheet = load_workbook(tmp_path / "export.xlsx")[PEOPLE]
    names = {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {row[4] for row in book.people}

    unknown = run("register", "export", "--community", "nowhere", "x.xlsx")
    assert unknown.returncode == 2 and "xingfuli" in unknown.stderr
    missing = run("register", "import", "--community", "xingfuli", "no-such.xlsx")
    assert missing.returncode == 2 and "no such file" in missing.stderr
