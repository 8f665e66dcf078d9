"""The ComfyUI text-to-image graph shipped beside the code, and the rules any graph filled by class must keep."""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from services.imaging.comfyui import WORKFLOW_FILE, Workflow, load_workflow
from services.imaging.local_sd import Sampling, canvas
from services.imaging.pictures import PictureRequest


def shipped() -> dict[str, Any]:
    return json.loads(WORKFLOW_FILE.read_text())


def test_the_shipped_graph_is_the_minimal_text_to_image_chain_and_is_filled_by_class() -> None:
    workflow = load_workflow()
    classes = sorted(node.class_type for node in workflow.root.values())
    assert classes == sorted(["CheckpointLoaderSimple", "CLIPTextEncode", "CLIPTextEncode", "EmptyLatentImage",
                              "KSampler", "VAEDecode", "SaveImage"])  # fmt: skip
    request = PictureRequest("a red kite", "cinematic", 480, 270, "high", "job:3:1")
    graph = workflow.filled(request, Sampling(20, 6.5, "blurry", 768), "my.safetensors")

    by_class = {node["class_type"]: node["inputs"] for node in graph.values()}
    assert by_class["CheckpointLoaderSimple"]["ckpt_name"] == "my.safetensors"
    assert {by_class["EmptyLatentImage"][side] for side in ("width", "height")} == set(canvas(480, 270, 768))
    sampler = by_class["KSampler"]
    assert (sampler["seed"], sampler["steps"], sampler["cfg"]) == (request.seed_number, 32, 6.5)
    assert graph[sampler["positive"][0]]["inputs"]["text"] == "a red kite"
    assert graph[sampler["negative"][0]]["inputs"]["text"] == "blurry"
    assert shipped()["6"]["inputs"]["text"] == "", "filling leaves the loaded graph as it was"
    assert workflow.root["6"].inputs["text"] == ""


def _broken(change: str) -> dict[str, Any]:
    graph = shipped()
    if change == "no output":
        del graph["9"]
    elif change == "dangling link":
        graph["8"]["inputs"]["vae"] = ["42", 2]
    elif change == "prompt not encoded":
        graph["3"]["inputs"]["positive"] = ["5", 0]
    elif change == "two samplers":
        graph["10"] = graph["3"]
    return graph


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("no output", "exactly one SaveImage node, it has 0"),
        ("dangling link", "node 8 input vae links to node 42"),
        ("prompt not encoded", "positive input must come from a CLIPTextEncode node"),
        ("two samplers", "exactly one KSampler node, it has 2"),
    ],
)
def test_a_graph_the_maker_cannot_fill_is_refused_when_loaded(change: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Workflow.model_validate(_broken(change))
