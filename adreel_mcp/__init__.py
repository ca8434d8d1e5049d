"""The Adreel MCP server: tools and resources over the Adreel HTTP API (adreel_mcp/server.py), run
over stdio by `adreel mcp` (adreel_mcp/stdio.py) or mounted on the gateway at /mcp
(adreel_mcp/http.py)."""
