"""argparse speaks Chinese through gettext: the catalogue holds every message of the running Python's argparse, its
compiled .mo says what the .po says, and the command is Chinese whatever language the system names."""
from __future__ import annotations

import argparse
import ast
import gettext
import inspect
import os
import re

import pytest

from analysis.commands import cli

CATALOGUE = cli._LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{cli._DOMAIN}.po"


def _argparse_messages() -> set[str]:
    """The msgids of this Python's argparse: the literal first argument of every _() and ngettext() call."""
    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def _compiled() -> gettext.GNUTranslations:
    with open(CATALOGUE.with_suffix(".mo"), "rb") as mo:
        return gettext.GNUTranslations(mo)


def test_every_message_of_this_pythons_argparse_is_translated():
    compiled = _compiled()
    missing = sorted(m for m in _argparse_messages() if compiled.gettext(m) == m)
    assert len(_argparse_messages()) > 20
    assert not missing, f"{CATALOGUE.name} 缺少这些 argparse 消息（加进 .po 后重新编译 .mo）：{missing}"


def test_the_compiled_catalogue_says_what_the_po_says():
    pofile = pytest.importorskip("babel.messages.pofile")
    with open(CATALOGUE, "rb") as po:
        catalogue = pofile.read_po(po)
    compiled = _compiled()
    for message in catalogue:
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id
            assert compiled.ngettext(singular, plural, 2) == message.string[0], message.id
        else:
            assert compiled.gettext(message.id) == message.string, (message.id, "重新编译 .mo，见 .po 开头")


def test_the_placeholders_of_each_translation_are_those_of_argparse():
    pofile = pytest.importorskip("babel.messages.pofile")
    with open(CATALOGUE, "rb") as po:
        catalogue = pofile.read_po(po)

    def names(text: str) -> set[str]:
        return set(re.findall(r"%\((\w+)\)", text)) | ({"%s"} if re.search(r"%[sr]", text) else set())

    for message in catalogue:
        if message.id:
            msgid = message.id[0] if message.pluralizable else message.id
            msgstr = message.string[0] if message.pluralizable else message.string
            # a translation may leave a named value out ("invalid %(type)s value" needs no type in Chinese)
            assert names(msgstr) <= names(msgid), (msgid, msgstr)
            assert ("%s" in names(msgstr)) == ("%s" in names(msgid)), (msgid, msgstr)


@pytest.mark.parametrize("environment", [{"LANGUAGE": "fr", "LANG": "en_US.UTF-8"}, {"LC_ALL": "C"}, {}])
def test_the_command_is_chinese_whatever_language_the_system_names(environment, monkeypatch, capsys):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    domain = gettext.textdomain()
    with pytest.raises(SystemExit):
        cli.main(["clean", "--jobs"])
    assert "analysis clean：错误：参数 --jobs：后面需要一个值" in capsys.readouterr().err
    # nothing of it stays behind: the process's text domain and language are what they were
    assert gettext.textdomain() == domain
    assert os.environ.get("LANGUAGE") == environment.get("LANGUAGE")
