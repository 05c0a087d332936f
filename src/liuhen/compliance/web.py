"""Compliance: a case's findings, the agency-wide report and its page, the rule packs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import OVERVIEW, User
from liuhen.accounts import guard
from liuhen.compliance import queries
from liuhen.compliance import service as compliance
from liuhen.compliance.schemas import AgencyReport, CaseEvaluation, PackList, PackRules
from liuhen.kernel.instance import App

SignedIn = Annotated[User, Depends(guard.signed_in())]
SeeCase = Annotated[User, Depends(guard.see_case())]
Overview = Annotated[
    User, Depends(guard.role(OVERVIEW, "全机关汇总仅限负责人、法制审核人员和监督人员"))
]


def api_router(app: App) -> APIRouter:
    r = APIRouter(tags=["合规"])

    @r.get("/api/v1/cases/{number}/compliance", summary="一个案件的合规检查结果",
           response_model=CaseEvaluation)  # fmt: skip
    def api_case_compliance(number: str, user: SeeCase) -> CaseEvaluation:
        return CaseEvaluation.model_validate(compliance.evaluate_case(app, number).as_dict())

    @r.get("/api/v1/compliance", summary="全机关合规汇总", response_model=AgencyReport)
    def api_compliance(user: Overview) -> AgencyReport:
        return compliance.evaluate_all(app)

    @r.get("/api/v1/packs", summary="可用的规则包", response_model=PackList)
    def api_packs(user: SignedIn) -> PackList:
        return queries.pack_list(app)

    @r.get("/api/v1/packs/{name}", summary="一个规则包的全部规则", response_model=PackRules)
    def api_pack(name: str, user: SignedIn) -> PackRules:
        return queries.pack_rules(app, name)

    return r


def page_router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter()

    @r.get("/overview", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request, user: Overview) -> Response:
        report = compliance.evaluate_all(app)
        guides = queries.guide_status(app)  # 003 第二十条: reported, not judged
        return templates.TemplateResponse(request, "overview.html",
                                          {"report": report, "guides": guides})  # fmt: skip

    return r
