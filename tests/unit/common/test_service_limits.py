"""A service raises its own open-file limit at start-up: each WebSocket subscriber is a file."""

import resource

from libs.common.service import raise_open_file_limit


def test_a_service_raises_its_open_file_limit_to_the_hard_limit() -> None:
    soft, hard = raise_open_file_limit()
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == (soft, hard)
    assert soft == hard or hard == resource.RLIM_INFINITY
