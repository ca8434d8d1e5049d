"""The Kubernetes manifests, rendered by `kubectl kustomize` exactly as `kubectl apply -k` would.

Every overlay is validated against the pinned Kubernetes version's schemas with
`kubernetes-validate --strict`, then the rendered objects are checked for what Adreel relies on:
native gRPC probes on the real ports, HPAs, PDBs, headless Services the gateway dials with
dns:///, NetworkPolicies, the migrations Job, and settings that the code actually reads.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.core.config import Settings as GatewaySettings
from services.compositor.config import Settings as CompositorSettings
from services.image_gen.config import Settings as ImageGenSettings
from services.prompt_parser.config import Settings as PromptParserSettings
from services.video_gen.config import Settings as VideoGenSettings
from tests.contract.image_table import load_image_table

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("local", "prod")
# The cluster version the manifests are written for (native gRPC probes are GA since 1.27).
KUBERNETES_VERSION = "1.32.0"
NAMESPACE = "adreel"
AGENTS = {
    "prompt-parser": PromptParserSettings,
    "image-gen": ImageGenSettings,
    "video-gen": VideoGenSettings,
    "compositor": CompositorSettings,
}
KUBECTL = shutil.which("kubectl")
VALIDATE = shutil.which("kubernetes-validate", path=str(Path(sys.executable).parent))

Doc = dict[str, Any]
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl (with kustomize) is not installed")


def kustomize(path: Path) -> str:
    assert KUBECTL is not None
    return subprocess.run(
        [KUBECTL, "kustomize", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def validate(manifest: str) -> subprocess.CompletedProcess[str]:
    """`kubectl kustomize ... | kubernetes-validate --strict` against the pinned Kubernetes version."""
    assert VALIDATE is not None
    return subprocess.run(
        [VALIDATE, "--strict", "--quiet", "-k", KUBERNETES_VERSION, "-"],
        input=manifest,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Doc]]:
    if KUBECTL is None:
        pytest.skip("kubectl (with kustomize) is not installed")
    return {o: [d for d in yaml.safe_load_all(kustomize(K8S / "overlays" / o)) if d] for o in OVERLAYS}


@pytest.fixture(params=OVERLAYS)
def docs(rendered: dict[str, list[Doc]], request: pytest.FixtureRequest) -> list[Doc]:
    """One overlay's objects: a test that takes them runs once per overlay."""
    return rendered[request.param]


def find(docs: list[Doc], kind: str, name: str | None = None) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def one(docs: list[Doc], kind: str, name: str) -> Doc:
    found = find(docs, kind, name)
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_spec(doc: Doc) -> Doc:
    return doc["spec"]["template"]["spec"]


def containers(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for d in docs:
        if d["kind"] in ("Deployment", "StatefulSet", "Job"):
            for c in pod_spec(d)["containers"]:
                yield d, c


def config(docs: list[Doc]) -> dict[str, str]:
    maps = [d for d in find(docs, "ConfigMap") if d["metadata"]["name"].startswith("adreel-config")]
    assert len(maps) == 1
    return maps[0]["data"]


def env_from(container: Doc, kind: str) -> list[str]:
    return [e[kind]["name"] for e in container.get("envFrom", []) if kind in e]


@needs_kubectl
@pytest.mark.skipif(VALIDATE is None, reason="`pip install kubernetes-validate`")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_passes_strict_schema_validation(overlay: str) -> None:
    manifest = kustomize(K8S / "overlays" / overlay)
    result = validate(manifest)
    assert result.returncode == 0, result.stdout + result.stderr
    assert manifest.count("\nkind: ") >= 25  # the whole app, not an empty render


@needs_kubectl
@pytest.mark.skipif(VALIDATE is None, reason="`pip install kubernetes-validate`")
def test_strict_validation_rejects_a_misspelt_field() -> None:
    """The validator really reads our objects: one unknown field fails the run."""
    manifest = kustomize(K8S / "overlays" / "local").replace("readinessProbe:", "readinesProbe:", 1)
    result = validate(manifest)
    assert result.returncode != 0
    assert "readinesProbe" in result.stdout + result.stderr


@pytest.mark.parametrize("agent", AGENTS)
def test_agent_deployment_probes_resources_and_ports(docs: list[Doc], agent: str) -> None:
    deployment = one(docs, "Deployment", agent)
    assert deployment["metadata"]["namespace"] == NAMESPACE
    (container,) = pod_spec(deployment)["containers"]
    port = AGENTS[agent].model_fields["port"].default
    assert container["ports"] == [{"name": "grpc", "containerPort": port}]
    assert {"name": "PORT", "value": str(port)} in container["env"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"] == {"port": port}, probe
    resources = container["resources"]
    assert set(resources) == {"requests", "limits"}
    for kind in ("cpu", "memory"):
        assert kind in resources["requests"] and kind in resources["limits"]
    assert cpu_millis(resources["requests"]["cpu"]) <= cpu_millis(resources["limits"]["cpu"])
    assert mebibytes(resources["requests"]["memory"]) <= mebibytes(resources["limits"]["memory"])
    # The agents default to loopback: without this they would not answer the probes.
    assert config(docs)["ADREEL_HOST"] == "0.0.0.0"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


@pytest.mark.parametrize("agent", AGENTS)
def test_agent_has_hpa_pdb_and_headless_service(docs: list[Doc], agent: str) -> None:
    labels = pod_spec_labels(one(docs, "Deployment", agent))
    port = AGENTS[agent].model_fields["port"].default

    service = one(docs, "Service", agent)
    assert service["spec"]["clusterIP"] == "None"
    assert matches(service["spec"]["selector"], labels)
    assert service["spec"]["ports"] == [
        {"name": "grpc", "port": port, "targetPort": "grpc", "appProtocol": "grpc"}
    ]

    hpa = one(docs, "HorizontalPodAutoscaler", agent)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": agent}
    assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert "replicas" not in one(docs, "Deployment", agent)["spec"]  # the HPA owns the count

    pdb = one(docs, "PodDisruptionBudget", agent)
    assert matches(pdb["spec"]["selector"]["matchLabels"], labels)
    assert pdb["spec"]["maxUnavailable"] == 1


def test_compositor_scales_down_slower_than_every_other_agent(docs: list[Doc]) -> None:
    windows = {
        a: one(docs, "HorizontalPodAutoscaler", a)["spec"]["behavior"]["scaleDown"][
            "stabilizationWindowSeconds"
        ]
        for a in AGENTS
    }
    others = [w for a, w in windows.items() if a != "compositor"]
    assert windows["compositor"] >= 900
    assert windows["compositor"] > max(others)


def test_gateway_dials_each_agent_by_headless_dns_name(docs: list[Doc]) -> None:
    data = config(docs)
    gateway = pod_spec(one(docs, "Deployment", "gateway"))["containers"][0]
    assert any(name.startswith("adreel-config") for name in env_from(gateway, "configMapRef"))
    for agent in AGENTS:
        service = one(docs, "Service", agent)
        port = service["spec"]["ports"][0]["port"]
        ns = service["metadata"]["namespace"]
        key = f"ADREEL_{agent.replace('-', '_').upper()}_ADDR"
        assert data[key] == f"dns:///{agent}.{ns}.svc.cluster.local:{port}"
        # ...and the gateway really reads that variable.
        assert GatewaySettings.model_fields[key.removeprefix("ADREEL_").lower()]


def test_every_setting_in_the_configmap_is_read_by_some_service(docs: list[Doc]) -> None:
    """A misspelt ADREEL_* key would be silently ignored by pydantic-settings."""
    fields = {f.upper() for s in (GatewaySettings, *AGENTS.values()) for f in s.model_fields}
    web_reads = {"ADREEL_PUBLIC_URL"}  # mapped to the web app's ADREEL_API_URL
    unknown = [k for k in config(docs) if k not in web_reads and k.removeprefix("ADREEL_") not in fields]
    assert unknown == []
    layout = (ROOT / "frontend" / "app" / "layout.tsx").read_text()
    web = pod_spec(one(docs, "Deployment", "web"))["containers"][0]
    (api_url,) = [e for e in web["env"] if e["name"] == "ADREEL_API_URL"]
    assert "process.env.ADREEL_API_URL" in layout
    assert {"name": "HOSTNAME", "value": "0.0.0.0"} in web["env"]
    assert api_url["valueFrom"]["configMapKeyRef"]["key"] == "ADREEL_PUBLIC_URL"
    # The browser's origin is the public URL: the gateway must allow it (CORS).
    data = config(docs)
    assert json.loads(data["ADREEL_WEB_ORIGINS"]) == [data["ADREEL_PUBLIC_URL"]]


def test_gateway_http_probes_service_and_ingress(docs: list[Doc]) -> None:
    deployment = one(docs, "Deployment", "gateway")
    (container,) = pod_spec(deployment)["containers"]
    port = GatewaySettings.model_fields["gateway_port"].default
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    assert container["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert "httpGet" in container["livenessProbe"]
    service = one(docs, "Service", "gateway")
    assert matches(service["spec"]["selector"], pod_spec_labels(deployment))
    assert service["spec"]["ports"][0]["targetPort"] == "http"

    ingress = one(docs, "Ingress", "adreel")
    notes = ingress["metadata"]["annotations"]
    # WebSockets stay open for a whole generation: nginx's 60 s default would cut them.
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(notes["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    routes = {
        p["path"]: p["backend"]["service"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]
    }
    for path in ("/ws", "/api", "/media", "/mcp"):
        assert routes[path] == {"name": "gateway", "port": {"name": "http"}}
    assert routes["/"]["name"] == "web"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gateway_scales_out_on_cpu_and_stages_in_flight(rendered: dict[str, list[Doc]], overlay: str) -> None:
    docs = rendered[overlay]
    deployment = one(docs, "Deployment", "gateway")
    assert "replicas" not in deployment["spec"]  # the HPA owns the count
    hpa = one(docs, "HorizontalPodAutoscaler", "gateway")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "gateway"}
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    metrics = hpa["spec"]["metrics"]
    assert metrics[0]["resource"]["name"] == "cpu"
    pods = [m["pods"] for m in metrics if m["type"] == "Pods"]
    if overlay == "local":
        assert pods == []  # no Prometheus adapter on kind: CPU alone, so it can scale down
        return
    (stages,) = pods
    # The name Prometheus gives the gateway's OpenTelemetry metric (dots become underscores).
    otel_name = "adreel.stages.in_flight"
    assert f'"{otel_name}"' in (ROOT / "gateway" / "telemetry.py").read_text()
    assert stages["metric"]["name"] == otel_name.replace(".", "_")
    assert stages["target"]["type"] == "AverageValue" and float(stages["target"]["averageValue"]) >= 1


def test_gateway_has_a_pdb_and_drains_before_it_is_killed(docs: list[Doc]) -> None:
    deployment = one(docs, "Deployment", "gateway")
    pdb = one(docs, "PodDisruptionBudget", "gateway")
    assert matches(pdb["spec"]["selector"]["matchLabels"], pod_spec_labels(deployment))
    assert pdb["spec"]["maxUnavailable"] == 1
    (container,) = pod_spec(deployment)["containers"]
    # preStop first: the Service and the ingress stop sending requests while the pod still serves...
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep" and 1 <= int(command[1]) <= 15
    # ...then SIGTERM, and time to hand the running stages back and send the last events.
    assert pod_spec(deployment)["terminationGracePeriodSeconds"] >= int(command[1]) + 30


def test_gateway_metrics_name_their_pod(docs: list[Doc]) -> None:
    """The HPA's per-pod metric needs the pod on every exported point (OTEL_RESOURCE_ATTRIBUTES)."""
    (container,) = pod_spec(one(docs, "Deployment", "gateway"))["containers"]
    env = [e["name"] for e in container["env"]]
    values = {e["name"]: e for e in container["env"]}
    attributes = values["OTEL_RESOURCE_ATTRIBUTES"]["value"]
    assert "k8s.pod.name=$(POD_NAME)" in attributes and "k8s.namespace.name=$(POD_NAMESPACE)" in attributes
    assert values["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    # $(VAR) expands only from variables defined earlier in the list.
    assert env.index("POD_NAME") < env.index("OTEL_RESOURCE_ATTRIBUTES")
    assert env.index("POD_NAMESPACE") < env.index("OTEL_RESOURCE_ATTRIBUTES")


def test_local_gateway_replicas_share_one_jwt_secret(rendered: dict[str, list[Doc]]) -> None:
    """A secret each pod generated for itself would make a token from one replica fail on another."""
    secrets = {d["metadata"]["name"].rsplit("-", 1)[0]: d for d in find(rendered["local"], "Secret")}
    assert len(decode(secrets["adreel-secrets"])["ADREEL_JWT_SECRET"]) >= 32


def test_only_the_gateway_reaches_the_agents(docs: list[Doc]) -> None:
    policies = find(docs, "NetworkPolicy")
    gateway_labels = pod_spec_labels(one(docs, "Deployment", "gateway"))
    others = [pod_spec_labels(d) for d in docs if d["kind"] in ("Deployment", "StatefulSet", "Job")]
    others = [labels for labels in others if labels != gateway_labels]
    for agent in AGENTS:
        labels = pod_spec_labels(one(docs, "Deployment", agent))
        selecting = [p for p in policies if matches(p["spec"]["podSelector"]["matchLabels"], labels)]
        assert selecting, f"no NetworkPolicy isolates {agent}"
        port = AGENTS[agent].model_fields["port"].default
        for policy in selecting:
            assert "Ingress" in policy["spec"]["policyTypes"]
            for rule in policy["spec"]["ingress"]:
                assert rule["ports"] == [{"protocol": "TCP", "port": port}]
                for source in rule["from"]:
                    assert set(source) == {"podSelector"}  # no namespace or IP block opens it wider
                    selector = source["podSelector"]["matchLabels"]
                    assert matches(selector, gateway_labels)
                    assert not any(matches(selector, o) for o in others)


def test_migrations_job_runs_alembic_with_the_gateway_image(docs: list[Doc]) -> None:
    job = one(docs, "Job", "adreel-migrate")
    (container,) = pod_spec(job)["containers"]
    gateway = pod_spec(one(docs, "Deployment", "gateway"))["containers"][0]
    assert container["image"] == gateway["image"]
    assert container["command"] == ["python", "-m", "gateway.db.migrate"]
    assert (ROOT / "gateway" / "db" / "migrate.py").is_file()
    assert pod_spec(job)["restartPolicy"] == "Never" and job["spec"]["backoffLimit"] >= 3
    assert env_from(container, "secretRef") == env_from(gateway, "secretRef")[:1]


def test_database_and_nats_settings_come_from_a_secret(docs: list[Doc]) -> None:
    for name in ("gateway", "ledger"):
        container = pod_spec(one(docs, "Deployment", name))["containers"][0]
        assert any(s.startswith("adreel-secrets") for s in env_from(container, "secretRef")), name
    for _, container in containers(docs):
        assert not any(
            e["name"] in ("DATABASE_URL", "NATS_URL") and "value" in e for e in container.get("env", [])
        )
    assert not any(k in config(docs) for k in ("DATABASE_URL", "NATS_URL", "ADREEL_JWT_SECRET"))


def test_local_overlay_runs_postgres_and_jetstream_with_volumes(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["local"]
    secrets = {d["metadata"]["name"].rsplit("-", 1)[0]: d for d in find(docs, "Secret")}
    app = decode(secrets["adreel-secrets"])
    pg = decode(secrets["postgres"])

    postgres = one(docs, "StatefulSet", "postgres")
    nats = one(docs, "StatefulSet", "nats")
    for sts, mount in ((postgres, "/var/lib/postgresql/data"), (nats, "/data")):
        (claim,) = sts["spec"]["volumeClaimTemplates"]
        assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
        (container,) = pod_spec(sts)["containers"]
        assert {"name": claim["metadata"]["name"], "mountPath": mount} in container["volumeMounts"]
        service = one(docs, "Service", sts["spec"]["serviceName"])
        assert service["spec"]["clusterIP"] == "None"

    (nats_container,) = pod_spec(nats)["containers"]
    assert "--jetstream" in nats_container["args"] and "--store_dir=/data" in nats_container["args"]
    assert app["NATS_URL"] == f"nats://nats.{NAMESPACE}.svc.cluster.local:4222"
    assert app["DATABASE_URL"] == (
        f"postgresql://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres.{NAMESPACE}.svc.cluster.local:5432/"
        f"{pg['POSTGRES_DB']}"
    )
    # Media on one claim shared by the gateway and every agent.
    assert one(docs, "PersistentVolumeClaim", "adreel-media")
    for name in (*AGENTS, "gateway"):
        volumes = {v["name"]: v for v in pod_spec(one(docs, "Deployment", name))["volumes"]}
        assert volumes["media"] == {"name": "media", "persistentVolumeClaim": {"claimName": "adreel-media"}}
    assert config(docs)["ADREEL_STORAGE_BACKEND"] == "local"


def test_prod_overlay_takes_postgres_nats_and_s3_from_secrets(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["prod"]
    assert find(docs, "StatefulSet") == [] and find(docs, "PersistentVolumeClaim") == []
    # No credentials in the repository: every Secret is created in the cluster beforehand.
    assert find(docs, "Secret") == []
    referenced = {s for _, c in containers(docs) for s in env_from(c, "secretRef")} | {"adreel-tls"}
    assert referenced == {"adreel-secrets", "adreel-s3", "adreel-agent-auth", "adreel-tls"}
    assert config(docs)["ADREEL_STORAGE_BACKEND"] == "s3"
    for name in (*AGENTS, "gateway"):
        container = pod_spec(one(docs, "Deployment", name))["containers"][0]
        assert "adreel-s3" in env_from(container, "secretRef"), name
    ingress = one(docs, "Ingress", "adreel")
    assert ingress["spec"]["tls"][0]["secretName"] == "adreel-tls"
    assert ingress["spec"]["rules"][0]["host"] in config(docs)["ADREEL_PUBLIC_URL"]
    for name in (*AGENTS, "gateway"):
        assert one(docs, "HorizontalPodAutoscaler", name)["spec"]["minReplicas"] >= 2


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_configmap_and_secret_references_resolve(rendered: dict[str, list[Doc]], overlay: str) -> None:
    docs = rendered[overlay]
    present = {(d["kind"], d["metadata"]["name"]) for d in docs}
    external = {"adreel-secrets", "adreel-s3", "adreel-agent-auth"} if overlay == "prod" else set()
    for _, container in containers(docs):
        for source in container.get("envFrom", []):
            kind, ref = next(iter(source.items()))
            resource = "ConfigMap" if kind == "configMapRef" else "Secret"
            assert (resource, ref["name"]) in present or ref["name"] in external, ref["name"]
        for env in container.get("env", []):
            ref = env.get("valueFrom", {})
            if "configMapKeyRef" in ref:
                assert ("ConfigMap", ref["configMapKeyRef"]["name"]) in present
            if "secretKeyRef" in ref and not ref["secretKeyRef"].get("optional"):
                assert ("Secret", ref["secretKeyRef"]["name"]) in present


def test_every_pod_runs_as_non_root_without_privileges(docs: list[Doc]) -> None:
    for workload, container in containers(docs):
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] > 0
        assert pod["enableServiceLinks"] is False
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert "resources" in container and "limits" in container["resources"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_the_ones_our_dockerfiles_build(rendered: dict[str, list[Doc]], overlay: str) -> None:
    ours = {image.ref: image for image in load_image_table().IMAGES}
    used: set[str] = set()
    for _, container in containers(rendered[overlay]):
        image = container["image"]
        if image.startswith(("postgres:", "nats:")):
            assert re.fullmatch(r"[a-z]+:\d+\.\d+(\.\d+)?-[a-z]+", image), image  # pinned upstream tag
            continue
        repo, tag = image.rsplit(":", 1)
        ref = "adreel/" + repo.rsplit("/", 1)[1]
        assert ref in ours, image
        assert (ROOT / ours[ref].dockerfile).is_file()
        assert tag == ("dev" if overlay == "local" else "0.1.0")
        used.add(ref)
    assert used == set(ours)  # every image we build is deployed, and nothing else of ours


# ---------------------------------------------------------------- helpers


def pod_spec_labels(doc: Doc) -> dict[str, str]:
    return doc["spec"]["template"]["metadata"]["labels"]


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def decode(secret: Doc) -> dict[str, str]:
    import base64

    return {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}


def cpu_millis(value: str) -> float:
    return float(value[:-1]) if value.endswith("m") else float(value) * 1000


def mebibytes(value: str) -> float:
    units = {"Mi": 1, "Gi": 1024}
    return float(value[:-2]) * units[value[-2:]]
