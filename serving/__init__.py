"""The service: BentoML service and runtime, HTTP routes by caller, web pages, storage
(SQLAlchemy + Alembic), the hash-chained audit log, API keys and roles.

Entry point: ``bentoml serve serving.service:TriageAPI`` (or ``casetriage serve``).
"""

__all__: list[str] = []
