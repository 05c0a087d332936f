"""An agency's evaluation weights (评议考核权重), kept as journal entries like its other settings
(``registry.evaluation_settings``): a change is a new entry, the latest wins, the defaults fill
in an indicator never set, and the page shows which applied beside the score."""

from __future__ import annotations

import json

from sqlalchemy import select

from liuhen.errors import NotFoundError, Problem, ValidationError
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.stats.score import DEFAULT_WEIGHTS, INDICATORS

ACT = "registry.evaluation_settings"
MAX_WEIGHT = 100


def _parse(lines: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in lines:
        key, _, value = str(line).partition("=")
        try:
            out[key.strip()] = int(value.strip())
        except ValueError:
            continue
    return out


def _latest(app: App, agency: str) -> dict[str, int] | None:
    found: dict[str, int] | None = None
    with app.engine.connect() as conn:
        for body in conn.execute(
            select(store.ENTRY.c.body).where(store.ENTRY.c.act == ACT).order_by(store.ENTRY.c.seq)
        ).scalars():
            fields = json.loads(body).get("fields") or {}
            if fields.get("agency") == agency:
                found = _parse(list(fields.get("weights") or []))
    return found


def weights_for(app: App, agency: str | None) -> tuple[dict[str, int], bool]:
    """The weights in force for the agency and whether it set them (else the defaults)."""
    own = _latest(app, agency) if agency else None
    if own is None:
        return dict(DEFAULT_WEIGHTS), False
    return {k: own.get(k, DEFAULT_WEIGHTS[k]) for k in INDICATORS}, True


def _problems(values: dict[str, str]) -> tuple[dict[str, int], list[Problem]]:
    parsed: dict[str, int] = {}
    problems = []
    for key, text in values.items():
        if key not in INDICATORS:
            known = "、".join(f"{k}（{v}）" for k, v in INDICATORS.items())
            problems.append(Problem(f"“{key}”不是评议考核的指标；可设置：{known}", key))
            continue
        try:
            weight = int(str(text).strip())
        except ValueError:
            weight = -1
        if not 0 <= weight <= MAX_WEIGHT:
            problems.append(Problem(f"“{INDICATORS[key]}”的权重应为 0 到 {MAX_WEIGHT} 的整数", key))
            continue
        parsed[key] = weight
    return parsed, problems


def set_weights(app: App, agency: str, values: dict[str, str], by: dict[str, str]) -> Appended:
    """Journal the agency's weights: those given replace the ones in force, the rest stay."""
    with app.engine.connect() as conn:
        known = conn.execute(
            select(store.AGENCY.c.code).where(store.AGENCY.c.code == agency)
        ).first()
    if known is None:
        raise NotFoundError(f"机关“{agency}”未登记")
    parsed, problems = _problems(values)
    if problems:
        raise ValidationError(f"评议考核权重有 {len(problems)} 处问题，未保存", problems)
    current, _ = weights_for(app, agency)
    current.update(parsed)
    if not any(current.values()):
        raise ValidationError("评议考核权重不能全部为零")
    return record.record(
        app,
        ActInput(
            ACT,
            app.clock.now().isoformat(),
            recorded_by=by,
            fields={"agency": agency, "weights": [f"{k}={current[k]}" for k in INDICATORS]},
        ),
    )
