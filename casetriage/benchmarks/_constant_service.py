"""A bare BentoML endpoint returning a constant: the floor the scoring API is compared to."""

from __future__ import annotations

from typing import Any

import bentoml

__all__ = ["ConstantService"]


@bentoml.service(name="constant", workers=1)
class ConstantService:
    @bentoml.api
    def score(self, case: dict[str, Any]) -> dict[str, Any]:
        return {"case_id": case.get("case_id"), "tier": 4}
