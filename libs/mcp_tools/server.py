"""The MCP tools: create a video, follow it, read its scenes, get a download link; each one public API call."""

from typing import Any, Literal

from mcp.server.mcpserver import MCPServer

from libs.mcp_tools.api import ReelforgeApi

INSTRUCTIONS = (
    "Reelforge turns a topic, a prompt or a script into a narrated, subtitled MP4. Call create_video, then "
    "get_status until its status is completed (a short video takes a minute or two offline), then "
    "download_link for a URL anyone can fetch until it expires."
)
File = Literal["video", "thumbnail", "srt", "vtt", "words", "preview"]


def build_server(api: ReelforgeApi) -> MCPServer:
    server = MCPServer("reelforge", instructions=INSTRUCTIONS)

    @server.tool()
    async def create_video(
        prompt: str | None = None,
        script: str | None = None,
        topic: str | None = None,
        duration: str = "short",
        language: str = "english",
        voice: str = "alloy",
        art_style: str = "cinematic",
        resolution: str = "1080x1920",
        caption_style: str = "phrase",
    ) -> dict[str, Any]:
        """Start a video from exactly one of `prompt` (a free description), `script` (the narration, one scene
        per line) or `topic` (any words). `duration`: short (45 s), long (3 min) or seconds 5-600; `language`:
        english, french, japanese... (20); `voice`: alloy, echo, fable, onyx, nova, shimmer; `art_style`:
        photorealistic, cinematic, anime, comic-book, pixar-art; `resolution`: WIDTHxHEIGHT; `caption_style`:
        phrase or karaoke. Returns the job's id and status."""
        body: dict[str, Any] = {
            "language": language,
            "voice": voice,
            "art_style": art_style,
            "resolution": resolution,
            "caption_style": caption_style,
            "duration": int(duration) if duration.isdigit() else duration,
        }
        if topic is not None:
            body |= {"topic": "custom topic", "topic_text": topic}
        body |= {name: value for name, value in (("prompt", prompt), ("script", script)) if value is not None}
        return summary(await api.call("POST", "/jobs", body))

    @server.tool()
    async def get_status(job_id: str) -> dict[str, Any]:
        """A job's status (pending, processing, completed, failed, cancelled...), progress 0-100, the stage it is
        in, its error when it failed, and the video's length once it is completed."""
        return summary(await api.call("GET", f"/jobs/{job_id}"))

    @server.tool()
    async def list_scenes(job_id: str) -> list[dict[str, Any]]:
        """The job's scenes in order: narration, what the picture shows (subjects), start and length in seconds."""
        scenes = (await api.call("GET", f"/jobs/{job_id}/scenes"))["scenes"]
        return [
            {
                "index": scene["index"],
                "narration": scene["narration"],
                "subjects": scene.get("subjects", []),
                "start_s": scene.get("start_s"),
                "duration_s": scene.get("duration_s"),
            }
            for scene in scenes
        ]

    @server.tool()
    async def download_link(job_id: str, file: File = "video", expires_in: int = 3600) -> dict[str, Any]:
        """A URL that downloads the finished job's `file` with no credentials, until `expires_at`."""
        link = await api.call("POST", f"/jobs/{job_id}/signed-url", {"file": file, "expires_in": expires_in})
        url = link["url"] if link["url"].startswith("http") else api.server.rstrip("/") + link["url"]
        return {"url": url, "expires_at": link["expires_at"]}

    return server


def summary(job: dict[str, Any]) -> dict[str, Any]:
    output = job.get("output") or {}
    return {
        "job_id": job["id"],
        "status": job["status"],
        "progress": job["progress"],
        "stage": job.get("stage"),
        "message": job.get("message"),
        "error": job.get("error"),
        "warnings": job.get("warnings", []),
        "duration_s": output.get("duration_s"),
    }
