"""`reelforge webhooks`: endpoints told when your jobs end: list, create (secret shown once), delete."""

from typing import Annotated

import typer

from libs.cli.options import DEFAULT_SERVER, AsJson, Server
from libs.cli.output import table
from libs.cli.session import session

app = typer.Typer(help="Webhook endpoints: list, create, delete.", no_args_is_help=True)
OPTIONS = {"url": "URL", "events": "--event", "description": "--description"}


@app.command("list")
def list_webhooks(server: Server = DEFAULT_SERVER, as_json: AsJson = False) -> None:
    """List your webhook endpoints and whether they are active.

    Example: reelforge webhooks list --json
    """
    with session(server, as_json) as s:
        hooks = s.api.call("GET", "/webhooks")
        rows = [
            (hook["id"], hook["url"], ", ".join(hook["events"]), hook["status"], hook.get("disabled_reason"))
            for hook in hooks
        ]
        columns = ["id", "url", "events", "status", "why disabled"]
        s.out.result(hooks, lambda console: console.print(table(columns, rows)))


@app.command()
def create(
    url: Annotated[str, typer.Argument(help="A public http(s) URL; deliveries are POSTed to it, signed.")],
    event: Annotated[
        list[str], typer.Option(help="An event to be told about (repeat for more); left out, the defaults.")
    ] = [],  # noqa: B006
    description: Annotated[str | None, typer.Option(help="A note for yourself.")] = None,
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """Register an endpoint; its signing secret (`whsec_...`) is printed now and never again.

    Example: reelforge webhooks create https://example.com/hooks/reelforge --event generation.complete
    """
    body: dict[str, object] = {"url": url}
    if event:
        body["events"] = event
    if description is not None:
        body["description"] = description
    with session(server, as_json, OPTIONS) as s:
        hook = s.api.call("POST", "/webhooks", json=body)
        s.out.note(f"Webhook {hook['id']} registered for {', '.join(hook['events'])}; its secret, shown once:")
        s.out.result(hook, lambda console: console.print(hook["secret"], markup=False))


@app.command()
def delete(
    endpoint_id: Annotated[str, typer.Argument(metavar="ID", help="The endpoint's id.")],
    server: Server = DEFAULT_SERVER,
    as_json: AsJson = False,
) -> None:
    """Remove an endpoint; nothing more is delivered to it.

    Example: reelforge webhooks delete 2d7a9c4e-1b3f-4e8a-9c6d-5f0e1a2b3c4d
    """
    with session(server, as_json) as s:
        s.api.call("DELETE", f"/webhooks/{endpoint_id}")
        answer = {"id": endpoint_id, "deleted": True}
        s.out.result(answer, lambda console: console.print(f"Webhook {endpoint_id} deleted", markup=False))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="webhooks")
