"""Chinese for what click itself prints: usage lines, help headings, argument errors.

click marks its messages for gettext but ships no Chinese catalogue, and the people typing
these commands are office staff. Each click module binds `_ = gettext.gettext` at import, so
pointing those names at this table translates the messages; anything not listed passes through.
"""

from __future__ import annotations

from click import core, decorators, exceptions, formatting, parser, types

ZH = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Error: {message}": "出错：{message}",
    "Try '{command} {option}' for help.": "可运行「{command} {option}」查看用法。",
    "Missing option": "缺少选项",
    "Missing argument": "缺少参数",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有「{name}」这个命令。",
    "No such option {name!r}.": "没有「{name}」这个选项。",
    "Did you mean {possibility}?": "是不是要写 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是要写以下之一：{possibilities}？）",
    "Option {name!r} requires an argument.": "选项「{name}」后面要写一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项「{name}」后面要写 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项「{name}」后面不用写值。",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "{value!r} is not a valid {number_type}.": "「{value}」不是有效的数字。",
    "{name} {filename!r} does not exist.": "{name}「{filename}」不存在。",
    "{name} {filename!r} is a directory.": "{name}「{filename}」是文件夹，应为文件。",
    "{name} {filename!r} is a file.": "{name}「{filename}」是文件，应为文件夹。",
    "{name} {filename!r} is not readable.": "{name}「{filename}」无法读取。",
    "{name} {filename!r} is not writable.": "{name}「{filename}」无法写入。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "default: {default}": "默认：{default}",
    "Aborted!": "已中止。",
    "required": "必填",
}


def _zh(message: str) -> str:
    return ZH.get(message, message)


def _nzh(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


def install() -> None:
    for module in (core, decorators, exceptions, formatting, parser, types):
        if hasattr(module, "_"):
            module._ = _zh
        if hasattr(module, "ngettext"):
            module.ngettext = _nzh
