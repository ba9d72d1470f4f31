"""The ``livedesk`` command: serve, migrate, create-admin, demo, telegram."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
import uvicorn

from livedesk import __version__
from livedesk.config import SERVER_OPTIONS, Settings, get_settings
from livedesk.db.migrate import upgrade

if TYPE_CHECKING:
    from livedesk.realtime.runtime import Runtime

T = TypeVar("T")

cli = typer.Typer(help="livedesk: a self-hosted live-chat desk.", no_args_is_help=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"livedesk {__version__}")
        raise typer.Exit()


@cli.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """livedesk: a self-hosted live-chat desk."""


def _migrate(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url())


def _with_runtime(
    settings: Settings, work: Callable[[Runtime], Awaitable[T]], *, started: bool = False
) -> T:
    """Run ``work`` with a runtime on ``settings``, closed afterwards. ``started``: with the
    event bus running too (for commands that publish events or keep running)."""
    from livedesk.realtime.runtime import Runtime

    async def run() -> T:
        rt = Runtime.from_settings(settings)
        if started:
            await rt.start()
        try:
            return await work(rt)
        finally:
            if started:
                await rt.stop()
            else:
                await rt.engine.dispose()

    return asyncio.run(run())


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date (idempotent)."""
    settings = get_settings()
    _migrate(settings)
    typer.echo("database is up to date")


@cli.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's e-mail (login).")],
    password: Annotated[str, typer.Option(help="The password to set.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "Administrator",
) -> None:
    """Create an admin, or reset the password of an existing user and make them admin."""
    from livedesk.actions.auth import do_create_admin

    settings = get_settings()
    _migrate(settings)

    async def run(rt: Runtime) -> None:
        async with rt.tx() as db:
            await do_create_admin(db, email, password, name)

    _with_runtime(settings, run)
    typer.echo(f"admin {email} is ready")


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    typer.echo("Demo logins (e-mail / password / role):")
    for email, password, role in logins:
        typer.echo(f"  {email:<32} {password:<12} {role}")


@cli.command()
def demo(
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Keep simulated customers writing.")
    ] = False,
) -> None:
    """Load demo live chats, operators, a supervisor and sessions into an empty database."""
    from livedesk.actions.demo import load_demo_if_empty, run_simulation

    settings = get_settings()
    _migrate(settings)

    async def run(rt: Runtime) -> None:
        logins = await load_demo_if_empty(rt)
        if logins:
            _print_logins(logins)
        else:
            typer.echo("the database is not empty: demo data not loaded")
        if simulate:
            typer.echo("simulating customers; Ctrl+C stops")
            await run_simulation(rt)

    _with_runtime(settings, run, started=True)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (LIVEDESK_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (LIVEDESK_PORT).")] = None,
    with_demo: Annotated[
        bool, typer.Option("--demo", help="Load demo data first when the database is empty.")
    ] = False,
    simulate: Annotated[
        bool, typer.Option("--simulate", help="With --demo: keep simulated customers writing.")
    ] = False,
) -> None:
    """Serve HTTP and WebSocket (migrates first)."""
    from livedesk.app import create_app

    settings = get_settings()
    _migrate(settings)
    if with_demo:
        from livedesk.actions.demo import load_demo_if_empty

        logins = _with_runtime(settings, load_demo_if_empty)
        if logins:
            _print_logins(logins)
        else:
            typer.echo(
                "Demo data is already loaded; the demo logins are those printed the first time "
                "(admin@livedesk.local / admin)."
            )
    app = create_app(settings)
    if simulate:
        app.state.simulate = True
    # A serving process only: tests build many apps in one process (livedesk.lib.heap).
    app.state.settle_heap = True
    bind_host, bind_port = host or settings.host, port or settings.port
    typer.echo(f"livedesk {__version__} on http://{bind_host}:{bind_port}")
    uvicorn.run(
        app,
        host=bind_host,
        port=bind_port,
        **SERVER_OPTIONS,  # type: ignore[arg-type]
    )


@cli.command()
def openapi() -> None:
    """Print the OpenAPI document (the UI's API types are generated from it)."""
    import json

    from livedesk.app import create_app

    typer.echo(json.dumps(create_app(get_settings()).openapi(), indent=2, sort_keys=True))


telegram_cli = typer.Typer(help="Telegram channels: webhook registration, long polling.")
cli.add_typer(telegram_cli, name="telegram")


@telegram_cli.command("set-webhook")
def telegram_set_webhook(
    channel: Annotated[
        list[int] | None, typer.Option(help="Channel id (repeatable; default: every one).")
    ] = None,
) -> None:
    """Register each telegram channel's webhook at LIVEDESK_PUBLIC_URL (setWebhook)."""
    import httpx

    from livedesk.jobs.telegram import set_webhooks

    settings = get_settings()
    if not settings.public_url:
        typer.echo("set LIVEDESK_PUBLIC_URL to the address Telegram can reach", err=True)
        raise typer.Exit(2)
    _migrate(settings)

    async def run(rt: Runtime) -> list[tuple[int, str | None]]:
        async with httpx.AsyncClient(timeout=settings.channel_http_timeout_secs) as http:
            return await set_webhooks(rt, http, channel)

    done = _with_runtime(settings, run)
    for channel_id, error in done:
        typer.echo(f"channel {channel_id}: {error or 'webhook set'}")
    if not done:
        typer.echo("no telegram channels")
    if any(error for _, error in done):
        raise typer.Exit(1)


@telegram_cli.command("poll")
def telegram_poll(
    channel: Annotated[
        list[int] | None, typer.Option(help="Channel id (repeatable; default: every one).")
    ] = None,
) -> None:
    """Receive updates by getUpdates long polling (no public address needed); Ctrl+C stops.

    Replies still go out through the outbox of `livedesk serve`."""
    import httpx

    from livedesk.jobs.telegram import poll_channel, telegram_channels

    settings = get_settings()
    _migrate(settings)

    async def run(rt: Runtime) -> None:
        channels = await telegram_channels(rt, channel)
        if not channels:
            typer.echo("no telegram channels")
            return
        async with httpx.AsyncClient(timeout=settings.channel_http_timeout_secs) as http:
            typer.echo(f"polling channels {[c.id for c in channels]}; Ctrl+C stops")
            await asyncio.gather(*(poll_channel(rt, http, c) for c in channels))

    with contextlib.suppress(KeyboardInterrupt):
        _with_runtime(settings, run, started=True)


@cli.command()
def bench(
    engine: Annotated[str, typer.Option(help="sqlite, postgres or all.")] = "all",
    scale: Annotated[
        float, typer.Option(help="Fraction of the full load (sockets, sessions, messages).")
    ] = 1.0,
    runs: Annotated[
        int | None, typer.Option(help="Runs per scenario, for medians [default: 3; tiny: 2].")
    ] = None,
    secs: Annotated[
        float | None, typer.Option(help="Length of each timed run [default: 10; tiny: 0.5].")
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated: lists,search,take,ingest,latency,connections,ceilings."
        ),
    ] = None,
    out: Annotated[str, typer.Option(help="Directory of the JSON results.")] = "bench/results",
    report: Annotated[str, typer.Option(help="Markdown file to update.")] = "BENCHMARKS.md",
    tiny: Annotated[bool, typer.Option("--tiny", help="A few seconds in all (for tests).")] = False,
) -> None:
    """Load a fresh server on 127.0.0.1; write bench/results/<date>-<engine>.json and the
    table of BENCHMARKS.md. PostgreSQL: LIVEDESK_BENCH_POSTGRES_URL, LIVEDESK_BENCH_REDIS_URL."""
    import sys

    from livedesk.bench.runner import bench_options, run_bench

    try:
        opts = bench_options(
            engine,
            scale,
            runs,
            secs,
            only,
            out,
            report,
            tiny,
            " ".join(["livedesk", *sys.argv[1:]]),
        )
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    for path in run_bench(opts):
        typer.echo(f"wrote {path}")
    typer.echo(f"updated {opts.report}")


def main() -> None:
    cli()
