"""The ``/v1`` routes, one module per kind of caller.

* :mod:`~serving.routes.case_system`: case management systems score cases and read them;
* :mod:`~serving.routes.supervisor`: the review queue and decisions;
* :mod:`~serving.routes.reviewer`: releases and their fairness reports;
* :mod:`~serving.routes.operator`: erasure, health, readiness, metrics;
* :mod:`~serving.routes.webhooks`: case systems' webhooks for decision events.
"""

from serving.routes._deps import ServingRuntime
from serving.routes.case_system import case_system_router
from serving.routes.operator import operator_router
from serving.routes.reviewer import reviewer_router
from serving.routes.supervisor import supervisor_router
from serving.routes.webhooks import webhooks_router

__all__ = [
    "ServingRuntime",
    "case_system_router",
    "operator_router",
    "reviewer_router",
    "supervisor_router",
    "webhooks_router",
]
