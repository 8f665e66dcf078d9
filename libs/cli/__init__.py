"""`reelforge`: the command line over the native API (`/api/v1`), and nothing else.

Modules, one job each: `config` (server URL, credentials file), `client` (HTTP calls and
their errors), `follow` (a job's progress from the WebSocket, else by polling), `progress`
(drawing it), `output` (tables or `--json`), `session` (one command's client, output and exit
code), and `commands/` (the commands).
"""
