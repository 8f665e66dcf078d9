"""An MCP server that lets AI agents make videos through Reelforge's public API (`python -m libs.mcp_tools`)."""
