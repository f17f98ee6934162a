"""Shared fixtures: a small config that has every kind of indicator, and helpers to run the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml

from pipeline.config import Config
from pipeline.config_load import parse_config

ROOT = Path(__file__).resolve().parent.parent

SAMPLE = {
    "year": 2023,
    "office": {"name": "某县打好重点民生保障仗工作专班办公室", "doc_prefix": "某民生办", "seal_unit": "某县人社局"},
    "deadlines": {"month": {"day": 20, "month_offset": 1}, "dekad": {"after_end_days": 2}},
    "units": [
        {
            "code": "rsj",
            "name": "某县人力资源和社会保障局",
            "aliases": ["县人社局"],
            "contact": {"person": "王建华", "phone": "0739-1234567"},
        },
        {"code": "wjj", "name": "某县卫生健康局", "aliases": ["县卫健局"]},
        {"code": "hbj", "name": "某县生态环境分局"},
        {"code": "mzj", "name": "某县民政局"},
        {
            "code": "jyj",
            "name": "某县教育局",
            "aliases": ["县教育局"],
            "contact": {"person": "李丽娟", "phone": "0739-7654321"},
        },
        {"code": "town1", "name": "甲镇人民政府", "kind": "area", "area": "jia"},
        {"code": "tjj", "name": "某县统计局"},
    ],
    "areas": [
        {"code": "jia", "name": "甲镇"},
        {"code": "yi", "name": "乙镇"},
        {"code": "bing", "name": "丙乡"},
    ],
    "projects": [
        {
            "id": "p-jiuye",
            "category": "省级重点民生实事",
            "number": 1,
            "title": "促进高质量充分就业",
            "lead": "rsj",
            "certifier": "tjj",
            "indicators": [
                {
                    "id": "jiuye",
                    "name": "城镇新增就业",
                    "unit": "人",
                    "target": 1000,
                    "area_targets": {"yi": 600, "bing": 400},
                },
                {"id": "peixun", "name": "补贴性职业技能培训", "unit": "人次", "target": 500},
                {"id": "chuangye", "name": "创业培训", "unit": "人次", "target": 100, "parent": "peixun"},
            ],
        },
        {
            "id": "p-yiyuan",
            "category": "本级重点民生实事",
            "number": 1,
            "title": "人民医院搬迁",
            "lead": "wjj",
            "indicators": [
                {
                    "id": "yiyuan",
                    "name": "人民医院搬迁工程",
                    "kind": "milestone",
                    "stages": ["未启动", "前期工作", "开工建设", "主体完工", "全面完成"],
                    "target_stage": "全面完成",
                    "deadline": "2023-12-31",
                },
                {
                    "id": "icu",
                    "name": "ICU床位",
                    "unit": "张",
                    "kind": "share",
                    "share_percent": 4,
                    "share_of": "总床位",
                    "target": 60,
                },
                {"id": "liangai", "name": "“两癌”免费检查", "unit": "人", "target": 2000},
                {"id": "qianyue", "name": "家庭医生签约服务", "unit": "人", "target": 5000},
            ],
        },
        {
            "id": "p-huanjing",
            "category": "重点监测民生项目",
            "number": 1,
            "title": "改善生态环境质量",
            "lead": "hbj",
            "indicators": [
                {
                    "id": "kongqi",
                    "name": "空气质量优良率",
                    "unit": "%",
                    "kind": "rate",
                    "baseline": 96.4,
                    "pending": "并达到市下达的年度目标",
                },
                {
                    "id": "shuizhi",
                    "name": "水质优良率",
                    "unit": "%",
                    "kind": "rate",
                    "target": 100,
                    "area_targets": {"jia": 100, "yi": 100, "bing": "/"},
                },
                {"id": "shuiyuan", "name": "饮用水水源地突出环境问题整治", "unit": "个", "target": 20},
                {"id": "wushui", "name": "污水管网改造", "unit": "公里", "target": 4.5},
            ],
        },
        {
            "id": "p-dibao",
            "category": "省级重点民生实事",
            "number": 2,
            "title": "提高困难群体救助标准",
            "lead": "mzj",
            "indicators": [
                {
                    "id": "dibao",
                    "name": "城市低保标准",
                    "unit": "元/月",
                    "kind": "standard",
                    "target": 650,
                    "baseline": 600,
                },
                {
                    "id": "shelao",
                    "name": "困难老年人居家适老化改造",
                    "unit": "户",
                    "target": 1200,
                    "deadline": "2023-09-30",
                },
                {"id": "wuzhangai", "name": "困难残疾人家庭无障碍改造", "unit": "户", "target": 140},
            ],
        },
        {
            "id": "p-jiaoyu",
            "category": "市级重点民生实事",
            "number": 1,
            "title": "改善办学条件",
            "lead": "jyj",
            "co": ["rsj"],
            "indicators": [
                {"id": "jisu", "name": "乡镇标准化寄宿制学校", "unit": "所", "target": 3},
                {"id": "youeryuan", "name": "新建高标准幼儿园", "unit": "所", "target": 4},
            ],
        },
    ],
}


@pytest.fixture
def sample_config() -> Config:
    return parse_config(yaml.safe_dump(SAMPLE, allow_unicode=True, sort_keys=False), source="sample.yaml")


@pytest.fixture
def sample_config_path(tmp_path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(SAMPLE, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def libreoffice():
    """LibreOffice for the open-without-repair checks; CI installs it, so there it must exist."""
    exe = soffice()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI; .ci/run installs it")
        pytest.skip("LibreOffice not installed")
    return exe


def convert(exe: str, files: list[Path], out: Path, to: str = "pdf", profile: Path | None = None) -> None:
    """Convert several files in one soffice call, with a private profile (parallel runs otherwise fail)."""
    profile = profile or out / ".lo-profile"
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )


def fill_by_spec(path: Path, values: dict[str, object], notes: dict[str, str], out: Path) -> dict[str, str]:
    """Fill per the spec; returns the metadata read, so the caller can check identity."""
    wb = openpyxl.load_workbook(path)
    meta_ws = wb["_meta"]
    meta = {}
    for row in meta_ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if row[0]:
            meta[row[0]] = row[1]
    table = [r for r in meta_ws.iter_rows(min_row=2, min_col=4, max_col=8, values_only=True) if r[0]]
    keys = {r[0] for r in table}
    ws = wb["填报表"]
    for r in range(6, ws.max_row + 1):
        key = ws[f"M{r}"].value
        if key in values:
            assert key in keys
            ws[f"H{r}"] = values[key]
            ws[f"J{r}"] = notes.get(key)
    ws["C3"], ws["F3"], ws["J3"], ws["L3"] = "张三", "0739-1234567", "李局长", "2023-06-03"
    wb.save(out)
    return meta
