"""The administration JSON API under ``/api/v1/admin`` (in the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from liuhen.accounts import service as access
from liuhen.admin import schemas
from liuhen.admin.common import (
    AdminDep,
    PackChange,
    PageNo,
    change_pack,
    keys,
    pack_settings,
    recorder,
    set_active,
)
from liuhen.kernel.instance import App
from liuhen.signing import service as signing


class NewUser(BaseModel):
    username: str
    display_name: str
    password: str
    roles: list[str]
    unit: str | None = None
    cert_no: str | None = None


class UserChange(BaseModel):
    roles: list[str]
    unit: str | None = None
    cert_no: str | None = None


class NewToken(BaseModel):
    name: str
    roles: list[str] = ["officer"]
    unit: str | None = None


class NewAgency(BaseModel):
    code: str
    name: str
    region: str


class OfficerChange(BaseModel):
    unit: str
    roles: list[str]
    active: bool = True


class NewPassword(BaseModel):
    password: str


class NewUnit(BaseModel):
    code: str
    name: str
    agency: str


class NewOfficer(BaseModel):
    cert_no: str
    name: str
    unit: str
    roles: list[str] = ["officer"]


class Issue(BaseModel):
    cert_no: str


def api_router(app: App) -> APIRouter:
    r = APIRouter(prefix="/api/v1/admin", tags=["系统管理"])
    _account_api(r, app)
    _account_state_api(r, app)
    _token_api(r, app)
    _registry_api(r, app)
    _key_and_pack_api(r, app)
    return r


def _account_api(r: APIRouter, app: App) -> None:
    @r.get("/users", response_model=schemas.AccountPage, summary="账户列表（分页）")
    def users(
        user: AdminDep, page: PageNo = 1, per_page: Annotated[int, Query(ge=1, le=200)] = 50
    ) -> schemas.AccountPage:
        return schemas.AccountPage.model_validate(
            access.list_users(app, page, per_page), from_attributes=True
        )

    @r.post("/users", status_code=201, response_model=schemas.AccountCreated, summary="创建账户")
    def create(body: NewUser, user: AdminDep) -> schemas.AccountCreated:
        made = access.create_user(
            app, body.username, body.password, body.roles, body.display_name,
            body.unit or None, body.cert_no or None, by=user.username,
        )  # fmt: skip
        return schemas.AccountCreated(username=made.username, roles=sorted(made.roles))

    @r.post(
        "/users/{username}",
        response_model=schemas.AccountChanged,
        summary="变更账户的角色、机构与执法证号",
    )
    def change(username: str, body: UserChange, user: AdminDep) -> schemas.AccountChanged:
        made = access.change_user(
            app, username, body.roles, body.unit or None, body.cert_no or None, user.username
        )
        return schemas.AccountChanged(
            username=made.username, roles=sorted(made.roles), unit=made.unit, cert_no=made.cert_no
        )


def _account_state_api(r: APIRouter, app: App) -> None:
    @r.post(
        "/users/{username}/deactivate", response_model=schemas.AccountActive, summary="停用账户"
    )
    def deactivate(username: str, user: AdminDep) -> schemas.AccountActive:
        return set_active(app, user, username, False)

    @r.post(
        "/users/{username}/reactivate", response_model=schemas.AccountActive, summary="重新启用账户"
    )
    def reactivate(username: str, user: AdminDep) -> schemas.AccountActive:
        return set_active(app, user, username, True)

    @r.post("/users/{username}/unlock", response_model=schemas.AccountUnlocked, summary="解除锁定")
    def unlock(username: str, user: AdminDep) -> schemas.AccountUnlocked:
        access.unlock(app, username, by=user.username)
        return schemas.AccountUnlocked(username=username, locked=False)

    @r.post("/users/{username}/password", response_model=schemas.PasswordReset, summary="重设密码")
    def password(username: str, body: NewPassword, user: AdminDep) -> schemas.PasswordReset:
        access.reset_password(app, username, body.password, by=user.username)
        return schemas.PasswordReset(username=username)

    @r.get(
        "/events",
        response_model=schemas.AccountEventPage,
        summary="账户事件（创建、停用、解锁、重设密码、变更、令牌、锁定）",
    )
    def events(
        user: AdminDep, page: PageNo = 1, per_page: Annotated[int, Query(ge=1, le=200)] = 50
    ) -> schemas.AccountEventPage:
        return schemas.AccountEventPage.model_validate(
            access.list_events(app, page, per_page), from_attributes=True
        )


def _token_api(r: APIRouter, app: App) -> None:
    @r.get(
        "/tokens",
        response_model=list[schemas.TokenListed],
        summary="机器访问令牌（不含令牌本身）",
    )
    def tokens(user: AdminDep) -> list[schemas.TokenListed]:
        return [
            schemas.TokenListed.model_validate(t, from_attributes=True)
            for t in access.list_tokens(app)
        ]

    @r.post(
        "/tokens",
        status_code=201,
        response_model=schemas.TokenCreated,
        summary="创建机器访问令牌（令牌只返回这一次）",
    )
    def token(body: NewToken, user: AdminDep) -> schemas.TokenCreated:
        secret = access.create_token(app, body.name, body.roles, body.unit or None, user.username)
        return schemas.TokenCreated(
            id=access.token_id(secret), name=body.name.strip(), token=secret
        )

    @r.post(
        "/tokens/{ident}/revoke", response_model=schemas.TokenRevoked, summary="吊销机器访问令牌"
    )
    def revoke(ident: str, user: AdminDep) -> schemas.TokenRevoked:
        access.revoke_token(app, ident, user.username)
        return schemas.TokenRevoked(id=ident, revoked=True)


def _registry_api(r: APIRouter, app: App) -> None:
    @r.get("/registry", response_model=schemas.Registry, summary="机关、机构与执法人员")
    def listing(user: AdminDep) -> schemas.Registry:
        return schemas.Registry.model_validate(access.listing(app), from_attributes=True)

    @r.post(
        "/agencies",
        status_code=201,
        response_model=schemas.CodeRegistered,
        summary="登记行政执法机关（记入日志）",
    )
    def agency(body: NewAgency, user: AdminDep) -> schemas.CodeRegistered:
        entry = access.add_agency(app, body.code, body.name, body.region, recorder(user))
        return schemas.CodeRegistered(seq=entry.seq, code=body.code)

    @r.post(
        "/units",
        status_code=201,
        response_model=schemas.CodeRegistered,
        summary="登记执法机构（记入日志）",
    )
    def unit(body: NewUnit, user: AdminDep) -> schemas.CodeRegistered:
        entry = access.add_unit(app, body.code, body.name, body.agency, recorder(user))
        return schemas.CodeRegistered(seq=entry.seq, code=body.code)

    @r.post(
        "/officers",
        status_code=201,
        response_model=schemas.OfficerRecorded,
        summary="登记执法人员（记入日志）",
    )
    def officer(body: NewOfficer, user: AdminDep) -> schemas.OfficerRecorded:
        entry = access.register_officer(
            app, body.cert_no, body.name, body.unit, body.roles, recorder(user)
        )
        return schemas.OfficerRecorded(seq=entry.seq, cert_no=body.cert_no)

    @r.post(
        "/officers/{cert_no}",
        response_model=schemas.OfficerRecorded,
        summary="变更执法人员的角色、机构与在岗状态（记入日志）",
    )
    def officer_change(
        cert_no: str, body: OfficerChange, user: AdminDep
    ) -> schemas.OfficerRecorded:
        entry = access.change_officer(
            app, cert_no, body.unit, body.roles, body.active, recorder(user)
        )
        return schemas.OfficerRecorded(seq=entry.seq, cert_no=cert_no)


def _key_and_pack_api(r: APIRouter, app: App) -> None:
    @r.get(
        "/keys",
        response_model=schemas.Keys,
        summary="检查点公钥、签名根证书与已签发的签名证书",
    )
    def key_list(user: AdminDep) -> schemas.Keys:
        return keys(app)

    @r.post(
        "/keys",
        status_code=201,
        response_model=schemas.CertificateIssued,
        summary="为执法人员签发签名证书（记入日志）",
    )
    def issue(body: Issue, user: AdminDep) -> schemas.CertificateIssued:
        issued, entry = signing.issue(app, body.cert_no, recorder(user))
        return schemas.CertificateIssued(
            seq=entry.seq, cert_no=body.cert_no, serial=issued.serial, not_after=issued.not_after
        )

    @r.get("/packs", response_model=schemas.PackSettings, summary="适用的规则包")
    def pack_list(user: AdminDep) -> schemas.PackSettings:
        return pack_settings(app)

    @r.post(
        "/packs",
        status_code=201,
        response_model=schemas.PackChanged,
        summary="变更适用的规则包（须说明理由，记入日志）",
    )
    def pack(body: PackChange, user: AdminDep) -> schemas.PackChanged:
        return change_pack(app, user, body)
