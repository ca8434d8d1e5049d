"""The security settings of the rendered Kubernetes manifests (helpers from test_k8s_manifests)."""

from __future__ import annotations

import json

import pytest

from gateway.api.client_ip import parse_networks
from tests.unit.test_k8s_manifests import OVERLAYS, Doc, config, rendered

__all__ = ["rendered"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_gateway_believes_forwarded_addresses_only_from_the_ingress(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    proxies = json.loads(config(rendered[overlay])["ADREEL_TRUSTED_PROXIES"])
    networks = parse_networks(proxies)
    assert networks and all(n.is_private for n in networks)  # a cluster range, never "everyone"
    assert not any(n.prefixlen == 0 for n in networks)
