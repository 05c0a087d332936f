"""The search API's responses as named OpenAPI schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SnippetPart(BaseModel):
    """A piece of a title or snippet; ``hit``: a word searched for (shown highlighted)."""

    text: str
    hit: bool = False


class SearchHit(BaseModel):
    """One text found: where it is (case, entry), what it is and the words found in it."""

    case_number: str
    cause: str = Field(description="案由")
    kind: str = Field(description="case（案件）、document（执法文书）、act（执法行为）、finding 等")
    kind_label: str
    seq: int | None = Field(None, description="所在记录的日志序号；案件信息与检查发现为空")
    title: list[SnippetPart]
    snippet: list[SnippetPart]
    url: str = Field(description="在案件页中的位置")


class KindCount(BaseModel):
    """How many texts of one kind match; counting stops past a cap (``capped``: at least
    ``count``, counted among the first matches)."""

    kind: str
    label: str
    count: int
    capped: bool = Field(False, description="为真时 count 是下限（匹配过多，计数到上限即停止）")
    text: str = Field("", description="条数的文字，如“37 条”“1,000 条以上”")


class SearchPage(BaseModel):
    """One page of results, best first, and how many of each kind match (up to a cap); past
    the cap only the newest matches are ranked (``ranked_all`` false, ``ranking`` says so)."""

    q: str
    terms: list[str] = Field(description="搜索词切分出的词语（每个都须出现）")
    kind: str | None = None
    items: list[SearchHit]
    total: int = Field(description="匹配条数；total_capped 为真时是下限（计数到上限即停止）")
    total_capped: bool = False
    total_text: str = Field("", description="条数的文字，如“37 条”“1,000 条以上”")
    page: int
    per_page: int
    has_more: bool = Field(False, description="之后是否还有结果（下一页）")
    kinds: list[KindCount]
    ranked_all: bool = Field(
        True, description="为假时匹配过多，只在最近记录的一部分匹配中按相关程度排列"
    )
    ranking: str = Field(
        "按相关程度排列",
        description="排列方式的说明，如“匹配超过 1,000 条，只在最近记录的 1,001 条中"
        "按相关程度排列”",
    )
