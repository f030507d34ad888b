"""The ``pyworker`` command line: ``pyworker dev`` and friends.

``main(argv)`` takes its arguments as a list so tests drive it in-process; errors users can fix are
printed as ``✘ [ERROR] ...`` with exit code 1, never as a Python traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import signal
import sys
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from aiohttp import web

from pyworker.dev_config import DevConfig, Limits, LogLevel
from pyworker.errors import PyworkerError

if TYPE_CHECKING:
    from pyworker.config import LoadedConfig
    from pyworker.reload import Reloader
    from pyworker.runtime.worker import Worker

__all__ = ["main"]


def _var(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"--var {text!r}: expected KEY:VALUE, e.g. --var API_HOST:example.com")
    return name, value


def _parser(other_commands: bool = True) -> argparse.ArgumentParser:
    """The argument parser; ``other_commands=False`` leaves out all but ``dev`` (a faster start)."""
    parser = argparse.ArgumentParser(
        prog="pyworker",
        description="Local runtime and dev server for Cloudflare Python Workers and Durable Objects.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    dev = commands.add_parser("dev", help="serve the worker of ./wrangler.toml on http://127.0.0.1:8787")
    dev.add_argument("-c", "--config", type=Path, help="path to wrangler.toml / wrangler.json(c)")
    dev.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    dev.add_argument("--port", type=int, default=8787, help="port to listen on (default: 8787)")
    dev.add_argument("--persist-to", type=Path, help="directory for local state (default: .wrangler/state)")
    dev.add_argument("-e", "--env", help="environment to use, from [env.NAME]")
    dev.add_argument("--var", type=_var, action="append", default=[], metavar="KEY:VALUE",
                     help="set or override a variable on env (repeatable)")
    dev.add_argument("--log-level", choices=get_args(LogLevel), default="log",
                     help="log level (default: log)")
    dev.add_argument("--no-reload", dest="reload", action="store_false",
                     help="do not reload the worker when its files change")
    dev.add_argument("--limits", choices=get_args(Limits), default="local",
                     help="storage limits: wrangler dev's (local, default) or production's (strict)")
    dev.add_argument("--test-scheduled", action="store_true",
                     help="serve /__scheduled?cron=... to run the scheduled handler")
    dev.add_argument("--crons", action="store_true",
                     help="run the scheduled handler whenever a cron of [triggers] is due")
    dev.add_argument("--evict-after", type=float, default=10.0, metavar="SECONDS",
                     help="drop Durable Objects idle this long from memory (default: 10; 0 = never)")
    if other_commands:
        from pyworker.commands import register_commands

        register_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser(other_commands=argv[:1] != ["dev"]).parse_args(argv)
    try:
        if args.command == "dev":
            return _dev(args)
        return args.run(args)
    except PyworkerError as error:
        print(f"✘ [ERROR] {error}", file=sys.stderr)
        return 1
    return 2


def _dev(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    dev = DevConfig(
        cwd=Path.cwd(),
        config_path=args.config,
        ip=args.ip,
        port=args.port,
        persist_to=args.persist_to,
        env=args.env,
        vars=dict(args.var),
        log_level=args.log_level,
        reload=args.reload,
        limits=args.limits,
        evict_after=args.evict_after,
        test_scheduled=args.test_scheduled,
        crons=args.crons,
    )
    from pyworker.server.log import setup_logging

    setup_logging(dev.log_level)
    loaded = _load_config(dev)
    from pyworker.runtime.loop import loop_factory

    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(_serve(loaded, dev, started))
    return 0


def _load_config(dev: DevConfig) -> LoadedConfig:
    """The wrangler config of ``dev``, its warnings printed."""
    from pyworker.config import load_config

    loaded = load_config(dev.cwd, env=dev.env, config_path=dev.config_path)
    for warning in loaded.warnings:
        print(f"▲ [WARNING] {warning}", file=sys.stderr)
    return loaded


async def _serve(loaded: LoadedConfig, dev: DevConfig, started: float) -> None:
    """Load the worker on the event loop (alarms arm on it), serve it, then close it."""
    from pyworker.reload import Reloader
    from pyworker.runtime.worker import Worker

    worker = Worker(loaded, dev)
    try:
        # Watching starts before the server does: edits made once "Ready on" is printed are seen.
        async with Reloader(worker, partial(_load_config, dev)) if dev.reload else contextlib.nullcontext() as reloader:
            await _serve_http(worker, dev, started, reloader)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the final commit
        worker.close()


async def _serve_http(worker: Worker, dev: DevConfig, started: float, reloader: Reloader | None) -> None:
    from pyworker.runtime.http import close_fetch_session
    from pyworker.server.app import create_app
    from pyworker.server.banner import render_bindings
    from pyworker.server.cdn_cgi import scheduled_warning
    from pyworker.server.console import Console
    from pyworker.server.guards import server_options
    from pyworker.server.log import log

    runner = web.AppRunner(create_app(worker), access_log=None, handle_signals=False, **server_options(dev))
    await runner.setup()
    site = web.TCPSite(runner, dev.ip, dev.port, reuse_address=True)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        raise PyworkerError(
            f"Could not listen on {dev.ip}:{dev.port}: {error.strerror or error}. "
            "Another process may be using that port: stop it, or pass --port to choose another."
        ) from None
    if reloader is not None:
        await reloader.watching()  # requests are served meanwhile; edits saved after "Ready on" are seen
    host, port = runner.addresses[0][:2]
    if not _is_loopback(dev.ip):
        log.warning("Listening on %s: other machines on your network can reach this server.", dev.ip)
    table = render_bindings(worker.describe_bindings())
    if table:
        print(table)
    print(f"⎔ Starting local server... ({(time.perf_counter() - started) * 1000:.0f}ms)")
    shown_host = "localhost" if dev.ip in ("0.0.0.0", "::") else (f"[{host}]" if ":" in host else host)
    if warning := scheduled_warning(worker.loaded.config.triggers.crons, dev, shown_host, port):
        log.warning("%s", warning)
    log.info("Ready on http://%s:%d", shown_host, port)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with Console(f"http://{shown_host}:{port}", stop.set):  # hotkeys on a terminal; prints labelled by object
        await stop.wait()
    log.info("Shutting down local server...")
    await runner.cleanup()
    await close_fetch_session()


def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return ip == "localhost"


if __name__ == "__main__":
    sys.exit(main())
