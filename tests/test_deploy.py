"""The deployment files one copies (deploy/): they parse, and they agree with the
engines' settings (the APy servers read the modes where overlay_path says)."""

from __future__ import annotations

import yaml
from conftest import ROOT

DEPLOY = ROOT / "deploy"
OVERLAY = "/srv/pipeline-cache"


def _documents(name: str) -> list[dict]:
    return list(yaml.safe_load_all((DEPLOY / name).read_text(encoding="utf-8")))


def test_kubernetes_manifests_scale_both_servers_on_cpu() -> None:
    for name, port in (("k8s/apy.yaml", 2737), ("k8s/libretranslate.yaml", 5000)):
        kinds = {doc["kind"]: doc for doc in _documents(name)}
        assert {"Deployment", "Service", "HorizontalPodAutoscaler"} <= set(kinds), name
        container = kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]
        assert container["ports"][0]["containerPort"] == port
        assert kinds["Service"]["spec"]["ports"][0]["targetPort"] == port
        hpa = kinds["HorizontalPodAutoscaler"]["spec"]
        assert hpa["scaleTargetRef"]["name"] == kinds["Deployment"]["metadata"]["name"]
        assert hpa["minReplicas"] >= 2 and hpa["maxReplicas"] >= 16


def test_apy_servers_read_the_overlay_from_the_mounted_cache() -> None:
    deployment = next(d for d in _documents("k8s/apy.yaml") if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["containers"][0]["args"] == [f"{OVERLAY}/apy"]
    assert pod["containers"][0]["volumeMounts"][0]["mountPath"] == OVERLAY
    compose = _documents("compose.yaml")[0]["services"]
    assert compose["apy-1"]["volumes"] == [f"../.pipeline-cache:{OVERLAY}:ro"]
    assert f'overlay_path = "{OVERLAY}"' in (DEPLOY / "compose.yaml").read_text()
    dockerfile = (DEPLOY / "apy" / "Dockerfile").read_text()
    assert f'CMD ["{OVERLAY}/apy"]' in dockerfile
    for package in ("apertium-apy", "apertium-eng-spa", "apertium-eng-cat"):
        assert package in dockerfile
