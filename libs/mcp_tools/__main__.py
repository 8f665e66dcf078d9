"""`python -m libs.mcp_tools [--transport stdio|streamable-http] [--port N]`: the Reelforge MCP server.

REELFORGE_SERVER   the Reelforge API (default http://127.0.0.1:8000)
REELFORGE_API_KEY  an API key (POST /api/v1/api-keys) the tools act with
"""

import argparse
import os

from libs.mcp_tools.api import ReelforgeApi
from libs.mcp_tools.server import build_server


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m libs.mcp_tools", description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=["stdio", "streamable-http"], default="stdio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    arguments = parser.parse_args()
    key = os.environ.get("REELFORGE_API_KEY", "")
    if not key:
        parser.exit(2, "REELFORGE_API_KEY is not set: make a key with POST /api/v1/api-keys and set it\n")
    server = build_server(ReelforgeApi(os.environ.get("REELFORGE_SERVER", "http://127.0.0.1:8000"), key))
    if arguments.transport == "stdio":
        server.run("stdio")
    else:
        server.run("streamable-http", host=arguments.host, port=arguments.port)


if __name__ == "__main__":
    main()
