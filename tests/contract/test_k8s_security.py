"""The security settings of the rendered Kubernetes manifests (helpers from test_k8s_manifests)."""

from __future__ import annotations

import base64
import json

import pytest

from gateway.api.client_ip import parse_networks
from gateway.webhooks.sealing import Keyring, parse_key
from gateway.webhooks.signing import new_secret
from services.common.agent_auth import public_of
from services.common.config import AgentSettings
from tests.contract.test_k8s_manifests import OVERLAYS, Doc, config, env_from, pod_spec, rendered

__all__ = ["rendered"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_gateway_believes_forwarded_addresses_only_from_the_ingress(
    rendered: dict[str, list[Doc]], overlay: str
) -> None:
    proxies = json.loads(config(rendered[overlay])["ADREEL_TRUSTED_PROXIES"])
    networks = parse_networks(proxies)
    assert networks and all(n.is_private for n in networks)  # a cluster range, never "everyone"
    assert not any(n.prefixlen == 0 for n in networks)


def _secret(docs: list[Doc], name: str) -> dict[str, str]:
    (secret,) = [d for d in docs if d["kind"] == "Secret" and d["metadata"]["name"].startswith(name)]
    return {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}


def _agents(docs: list[Doc]) -> list[Doc]:
    return [
        d
        for d in docs
        if d["kind"] == "Deployment" and d["metadata"]["labels"].get("app.kubernetes.io/component") == "agent"
    ]


def test_prod_agents_take_the_gateways_public_key_and_serve_no_reflection(
    rendered: dict[str, list[Doc]],
) -> None:
    docs = rendered["prod"]
    assert config(docs)["ADREEL_GRPC_REFLECTION"] == "false"
    assert AgentSettings(grpc_reflection=config(docs)["ADREEL_GRPC_REFLECTION"]).grpc_reflection is False
    agents = _agents(docs)
    assert len(agents) == 4
    for agent in agents:
        container = pod_spec(agent)["containers"][0]
        assert "adreel-agent-auth" in env_from(container, "secretRef"), agent["metadata"]["name"]


def test_local_agents_verify_what_the_local_gateway_signs(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["local"]
    secrets = _secret(docs, "adreel-secrets")
    assert config(docs)["ADREEL_AGENT_VERIFY_KEY"] == public_of(secrets["ADREEL_AGENT_SIGNING_KEY"])
    keyring = Keyring([parse_key(k) for k in json.loads(secrets["ADREEL_WEBHOOK_KEYS"])])
    assert keyring.reveal(keyring.seal(new_secret())).startswith("whsec_")
    assert config(docs).get("ADREEL_GRPC_REFLECTION", "true") != "false"  # grpcurl works locally
