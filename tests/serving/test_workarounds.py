"""The settings and workarounds of ``serving/service.py`` against their libraries: these
fail when a library changes, so a setting or workaround can be adapted, not kept blindly."""

from __future__ import annotations

import gc

from serving.workarounds import freeze_startup_heap
from serving.workarounds.worker_heap import YOUNG_GENERATION_THRESHOLD


def test_the_api_keeps_one_connection_pool_to_the_scorer():
    """BentoML builds the dependency client from the scorer's ``runner_connection``."""
    from _bentoml_impl.client.proxy2 import RemoteProxy
    from bentoml.container import BentoMLContainer

    from serving.service import KEEP_CONNECTIONS, TriageScorer

    services = BentoMLContainer.config.services
    try:
        before = services.get()
    except KeyError:  # not serving: nothing configured yet
        before = {}
    try:
        services.set({TriageScorer.name: TriageScorer.config})
        manager = RemoteProxy("http://127.0.0.1:9", service=TriageScorer).to_async._session_manager
        assert manager.max_requests == KEEP_CONNECTIONS["max_requests"]
        assert manager.max_age == KEEP_CONNECTIONS["max_age"]
        services.set({TriageScorer.name: {}})
        default = RemoteProxy("http://127.0.0.1:9", service=TriageScorer).to_async._session_manager
        assert default.max_requests < KEEP_CONNECTIONS["max_requests"]  # what we turn off
    finally:
        services.set(before)


def test_the_startup_heap_is_frozen_and_young_collections_are_rarer():
    before = gc.get_threshold()
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_GENERATION_THRESHOLD
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
