"""The ``rightsgraph`` command: a thin shell over graph/ and loaders/.

Every command parses its options, calls the library and formats the
result.  Expected failures print one line, ``rightsgraph: error: ...``,
and exit with status 1; usage errors exit with 2.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import click

from rightsgraph.graph.errors import RightsgraphError, StoreLockedError
from rightsgraph.graph.export import FORMATS as EXPORT_FORMATS
from rightsgraph.graph.export import export_to
from rightsgraph.graph.iri import checked_iri
from rightsgraph.graph.package import CC_BY, PackageInfo, build_package
from rightsgraph.graph.provenance import package_version
from rightsgraph.graph.results import OUTPUT_FORMATS, serialize
from rightsgraph.graph.scopes import Scope, resolve
from rightsgraph.graph.stats import statistics
from rightsgraph.graph.store import DEFAULT_LOCATION, GraphStore
from rightsgraph.graph.validation import validate as validate_store
from rightsgraph.loaders import registry
from rightsgraph.loaders.batch import parse_paths, store_loaded
from rightsgraph.loaders.context import EXTENDABLE_SCHEMES, LoadContext
from rightsgraph.loaders.source import DEFAULT_MAX_BYTES
from rightsgraph.ontology.terms import DEFAULT_INSTANCE_BASE


@dataclass
class Settings:
    """Options of the command group, shared by every command."""

    store: str
    base: str

    @contextmanager
    def open_store(self) -> Iterator[GraphStore]:
        try:
            opened = GraphStore.open(self.store)
        except StoreLockedError as exc:
            raise _explain_lock(self.store, exc) from None
        with opened as store:
            yield store


pass_settings = click.make_pass_decorator(Settings)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--store",
    envvar="RIGHTSGRAPH_STORE",
    default=DEFAULT_LOCATION,
    show_default=True,
    metavar="LOCATION",
    help="Store directory (created if missing), or the http(s) URL of a SPARQL server "
    "(credentials: RIGHTSGRAPH_STORE_USER, RIGHTSGRAPH_STORE_PASSWORD). Env: RIGHTSGRAPH_STORE.",
)
@click.option(
    "--base",
    envvar="RIGHTSGRAPH_BASE",
    default=DEFAULT_INSTANCE_BASE,
    show_default=True,
    metavar="IRI",
    help="Base IRI of instance data. Env: RIGHTSGRAPH_BASE.",
)
@click.version_option(package_version(), prog_name="rightsgraph")
@click.pass_context
def cli(ctx: click.Context, store: str, base: str) -> None:
    """Turn human-rights advocacy material into an RDF knowledge graph.

    \b
    Example:
        rightsgraph --store ./data load partners.ttl
        rightsgraph --store ./data query 'SELECT ?t WHERE { ?t a rg:Theme }' --format csv
        rightsgraph --store http://127.0.0.1:7878 stats    # Oxigraph server
    """
    ctx.obj = Settings(store=store, base=base)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "input_format",
    type=click.Choice(registry.formats()),
    help="Input format for every PATH (default: from each file's extension).",
)
@click.option("--graph", metavar="IRI", help="Named graph for the source (one PATH only).")
@click.option("--force", is_flag=True, help="Reload sources whose content has not changed.")
@click.option("--report", is_flag=True,
              help="Print what was found, what was doubtful and the SHACL report of each graph.")
@click.option("--skip-invalid", is_flag=True,
              help="Tables: load the valid rows and report the others (default: reject the file).")
@click.option("--extends", type=click.Choice(EXTENDABLE_SCHEMES),
              help="RDF: add the file's SKOS concepts to the theme or group scheme.")
@click.option("--max-size", type=click.IntRange(1, 100_000), metavar="MB",
              default=DEFAULT_MAX_BYTES // (1024 * 1024), show_default=True,
              help="Refuse files larger than this many MiB (pages: 5 MiB, always).")
@pass_settings
def load(
    settings: Settings,
    paths: Sequence[str],
    input_format: str | None,
    graph: str | None,
    force: bool,
    report: bool,
    skip_invalid: bool,
    extends: str | None,
    max_size: int,
) -> None:
    """Load files into the store, one named graph per file.

    All files are parsed before anything is written; a bad file loads
    nothing. Loading a file again replaces its graph atomically, and a file
    whose content has not changed is skipped.

    \b
    Example:
        rightsgraph --store ./data load partner.ttl more/*.nq
        rightsgraph load --format turtle --graph https://example.org/g notes.txt
        rightsgraph load --skip-invalid --report upr-recommendations.csv
        rightsgraph load --extends themes partner-issues.ttl
        rightsgraph load --max-size 500 uhri-export.nt
    """
    context = LoadContext(base=settings.base, graph=graph, skip_invalid=skip_invalid,
                          extends=extends, max_bytes=max_size * 1024 * 1024)
    with _progress(paths, "Parsing") as step:
        loads = parse_paths(paths, context, format=input_format, progress=step)
    with settings.open_store() as store, _progress(loads, "Storing") as step:
        outcomes = store_loaded(store, loads, force=force, progress=step)
        shacl = {o.loaded.graph.value: validate_store(store, [o.loaded.graph])
                 for o in outcomes} if report else {}
    for outcome in outcomes:
        click.echo(
            f"{outcome.status}: {outcome.loaded.record.file_name} -> "
            f"{outcome.loaded.graph.value} ({outcome.triples} triples)"
        )
        if report:
            for line in outcome.loaded.report.summary(outcome.loaded.record.file_name):
                click.echo(f"  {line}")
            violations = shacl[outcome.loaded.graph.value]
            click.echo(f"  shacl: {'conforms' if not violations else f'{len(violations)} violation(s)'}")
            for violation in violations:
                click.echo(f"    {violation.describe()}")


@cli.command()
@click.argument("sparql", metavar="SPARQL|FILE|-")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="Output format: table, json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, "
    "jsonld, rdfxml (CONSTRUCT/DESCRIBE).",
)
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    metavar="IRI",
    help="Use only this named graph as the default graph (repeatable). "
    "Default: the union of all graphs.",
)
@pass_settings
def query(settings: Settings, sparql: str, output_format: str, graphs: Sequence[str]) -> None:
    """Run a SPARQL query and print the result.

    SPARQL is the query text, a file holding it, or - for standard input.
    The prefixes rg:, skos:, dcterms:, prov:, cito:, schema:, org: and
    others are predeclared. The default graph is the union of all graphs.

    \b
    Example:
        rightsgraph query 'SELECT ?r ?text WHERE { ?r a rg:Recommendation ; rg:text ?text }'
        rightsgraph query queries/by-theme.rq --format json > rows.json
    """
    text = _query_text(sparql)
    default_graph = [checked_iri(g, what="graph IRI") for g in graphs] or None
    with settings.open_store() as store:
        result = store.query(text, default_graph=default_graph)
        output = serialize(result, output_format)
    sys.stdout.buffer.write(output if output.endswith(b"\n") else output + b"\n")
    sys.stdout.flush()


@cli.command()
@click.option("--graph", "graphs", multiple=True, metavar="IRI",
              help="Validate only this source graph (repeatable).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True)
@pass_settings
def validate(settings: Settings, graphs: Sequence[str], output_format: str) -> None:
    """Check the data against the SHACL shapes of the ontology.

    Exits with status 0 when the data conforms, 1 with one line per
    violation (focus node, path, message) when it does not.

    \b
    Example:
        rightsgraph --store ./data validate
        rightsgraph validate --graph https://w3id.org/rightsgraph/id/source/partner-ttl
    """
    selected = [checked_iri(g, what="graph IRI") for g in graphs] or None
    with settings.open_store() as store:
        violations = validate_store(store, selected)
    if output_format == "json":
        click.echo(json.dumps({"conforms": not violations,
                               "violations": [v.__dict__ for v in violations]}, indent=2))
    else:
        for violation in violations:
            click.echo(violation.describe())
        click.echo("conforms" if not violations else f"{len(violations)} violation(s)")
    if violations:
        sys.exit(1)


@cli.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True)
@pass_settings
def stats(settings: Settings, output_format: str) -> None:
    """Show what the store holds: quads, graphs, sources and resources by kind.

    \b
    Example:
        rightsgraph --store ./data stats --format json
    """
    with settings.open_store() as store:
        figures = statistics(store)
    if output_format == "json":
        click.echo(json.dumps(figures.as_dict(), indent=2))
        return
    click.echo(f"quads: {figures.quads}")
    click.echo(f"named graphs: {figures.graphs}")
    click.echo("sources:")
    for graph, file_name, count in figures.sources:
        click.echo(f"  {file_name:<28} {count:>8}  {graph}")
    click.echo("resources by kind:")
    for kind, count in figures.kinds.items():
        click.echo(f"  {kind:<28} {count:>8}")


@cli.command()
@click.argument("graph", metavar="IRI")
@pass_settings
def drop(settings: Settings, graph: str) -> None:
    """Remove one source's named graph from the store.

    \b
    Example:
        rightsgraph drop https://w3id.org/rightsgraph/id/source/partner-ttl
    """
    node = checked_iri(graph, what="graph IRI")
    with settings.open_store() as store:
        if not store.drop_graph(node):
            raise RightsgraphError(f"no graph {graph} in the store")
    click.echo(f"dropped: {graph}")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@pass_settings
def backup(settings: Settings, directory: str) -> None:
    """Back up the store into DIRECTORY, which must not exist yet.

    The backup is a consistent snapshot (cheap on the same file system: files
    are hard-linked) with a manifest of its quads and their digest. While
    `rightsgraph serve` owns the store, the server takes the backup: it needs
    RIGHTSGRAPH_BACKUP_DIR (the backup must go inside it), and this command
    the same RIGHTSGRAPH_UPDATE_TOKEN.

    \b
    Example:
        rightsgraph --store ./data backup /var/backups/rightsgraph/2026-11-24
        rightsgraph --store ./restored restore /var/backups/rightsgraph/2026-11-24
    """
    from rightsgraph.graph.backup import backup_store
    from rightsgraph.graph.remote import is_remote_location

    if is_remote_location(settings.store):
        raise RightsgraphError("a remote store is backed up with its server's own tools "
                               "(see docs/deployment.md), not with `rightsgraph backup`")

    target = Path(directory).absolute()
    try:
        with settings.open_store() as store:
            info = backup_store(store, target)
    except StoreLockedError as exc:
        from rightsgraph.webui.admin import request_backup, running_server

        server = running_server(settings.store)
        if server is None:
            raise
        token = os.environ.get("RIGHTSGRAPH_UPDATE_TOKEN", "")
        if not token:
            raise RightsgraphError(
                f"{exc}; set RIGHTSGRAPH_UPDATE_TOKEN to the server's update token to have "
                "the server take the backup"
            ) from None
        info = request_backup(server[0], target, token)
    click.echo(f"backed up {info.quads} quads into {target} (taken {info.taken_at}, "
               f"sha256 {info.digest})")


@cli.command()
@click.argument("backup_dir", metavar="BACKUP", type=click.Path(file_okay=False, exists=True))
@pass_settings
def restore(settings: Settings, backup_dir: str) -> None:
    """Restore BACKUP (made by `rightsgraph backup`) as the store given by --store.

    The store directory must not exist or be empty: restoring never
    overwrites data. The restored quads are checked against the backup's
    digest before the store is put in place.

    \b
    Example:
        rightsgraph --store ./restored restore /var/backups/rightsgraph/2026-11-24
    """
    from rightsgraph.graph.backup import restore_store

    if settings.store.startswith(("http://", "https://")):
        raise RightsgraphError("restore writes a store directory; give --store DIR")
    info = restore_store(backup_dir, settings.store)
    click.echo(f"restored {info.quads} quads (backup taken {info.taken_at}) into {settings.store}")


def _not_yet(name: str, issue: str) -> None:
    raise RightsgraphError(f"`rightsgraph {name}` is not available in this version ({issue})")


@cli.command()
@click.option("--format", "output_format", type=click.Choice(list(EXPORT_FORMATS)),
              default="turtle", show_default=True,
              help="turtle, trig, ntriples, nquads, jsonld or rdfxml. TriG and N-Quads keep the "
              "named graphs; the others merge them.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
              help="File to write (default: standard output; with --package: "
              "rightsgraph-SCOPE-DATE.zip).")
@click.option("--graph", metavar="IRI", help="Scope: one named graph, or the graph of a document.")
@click.option("--theme", metavar="NAME|IRI",
              help="Scope: the units of a theme and its narrower themes, and what they need.")
@click.option("--group", metavar="NAME|IRI", help="Scope: the units of an affected group.")
@click.option("--organisation", metavar="NAME|IRI",
              help="Scope: the units made by, addressed to or naming an organisation or State.")
@click.option("--statement", metavar="IRI", help="Scope: the units of a statement (or document).")
@click.option("--selection", multiple=True, metavar="IRI",
              help="Scope: the units tagged with these concepts (repeatable).")
@click.option("--package", "as_package", is_flag=True,
              help="Write a partner package (zip): data.ttl, the ontology and shapes, a VoID/DCAT "
              "description and a README.")
@click.option("--title", default="", help="Package: the dataset's title.")
@click.option("--publisher", default="rightsgraph", show_default=True,
              help="Package: who publishes it.")
@click.option("--publisher-iri", default="", metavar="IRI", help="Package: the publisher's IRI.")
@click.option("--licence", default=CC_BY, show_default=True, metavar="IRI",
              help="Package: the licence.")
@pass_settings
def export(settings: Settings, output_format: str, output: str | None, graph: str | None,
           theme: str | None, group: str | None, organisation: str | None,
           statement: str | None, selection: Sequence[str], as_package: bool, title: str,
           publisher: str, publisher_iri: str, licence: str) -> None:
    """Export the graph (or part of it) for partner organisations.

    Without a scope option, the whole dataset. A theme, group or
    organisation may be given by its label. Turtle comes sorted, one block
    per subject, with prefixes; the same data gives the same bytes. On a
    terminal, progress is shown on standard error.

    \b
    Example:
        rightsgraph export --format trig -o dataset.trig
        rightsgraph export --theme "maternal mortality" -o maternal-mortality.ttl
        rightsgraph export --theme "maternal mortality" --package -o mm.zip
        rightsgraph export --organisation "Women Lead Network" --format jsonld
    """
    given = {kind: value for kind, value in (
        ("graph", graph), ("theme", theme), ("group", group), ("organisation", organisation),
        ("statement", statement), ("selection", list(selection) or None)) if value}
    if len(given) > 1:
        raise click.UsageError(f"give one scope, not {len(given)} (--{' --'.join(given)})")
    with settings.open_store() as store, _export_progress() as progress:
        scope = _export_scope(store, given)
        if as_package:
            info = PackageInfo(title=title, publisher=publisher, publisher_iri=publisher_iri,
                               licence=licence, base=settings.base)
            target = Path(output or f"rightsgraph-{scope.slug()}-{info.issued.isoformat()}.zip")
            with _atomic(target) as out:
                package = build_package(store, scope, out, info, progress=progress)
            progress.done()
            click.echo(f"wrote {target}: {package.triples} triples in data.ttl, "
                       f"{len(package.files)} files", err=True)
            return
        if output is None:
            export_to(store, output_format, scope, sys.stdout.buffer, base=settings.base,
                      progress=progress)
            sys.stdout.flush()
            return
        with _atomic(Path(output)) as out:
            written = export_to(store, output_format, scope, out, base=settings.base,
                                progress=progress)
        progress.done()
    unit = "quads" if EXPORT_FORMATS[output_format].keeps_graphs else "triples"
    click.echo(f"wrote {output}: {written.statements} {unit} ({output_format})", err=True)


def _export_scope(store: GraphStore, given: dict[str, str | list[str]]) -> Scope:
    if not given:
        return Scope()
    kind, value = next(iter(given.items()))
    if isinstance(value, list):
        return Scope.parse(kind, value)
    if kind in ("theme", "group") and not value.startswith(("http://", "https://", "urn:")):
        from rightsgraph.loaders.concepts import ConceptIndex

        found = ConceptIndex.from_ontology().lookup(value, kind)
        if found is not None:
            return Scope(kind, (found,))
    return Scope(kind, (resolve(store, kind, value),))


class _ExportProgress:
    """Shows on standard error, when it is a terminal, what a long export is doing:
    one line, rewritten at most ten times a second, erased at the end."""

    def __init__(self) -> None:
        self.shown = sys.stderr.isatty()
        self._last = 0.0
        self._width = 0

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.shown or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        count = f" {done:,}/{total:,}" if total else ""
        share = f" ({100 * done // total}%)" if total else ""
        line = f"export: {step}{count}{share}"
        sys.stderr.write("\r" + line.ljust(self._width))
        sys.stderr.flush()
        self._width = len(line)

    def done(self) -> None:
        """Erase the line (before the summary or an error is printed)."""
        if self.shown and self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()
            self._width = 0


@contextmanager
def _export_progress() -> Iterator[_ExportProgress]:
    progress = _ExportProgress()
    try:
        yield progress
    finally:
        progress.done()


@contextmanager
def _atomic(path: Path) -> Iterator[BinaryIO]:
    """Write to ``path`` through a temporary file, so that a failure leaves no half file."""
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as out:
            yield out
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise RightsgraphError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


def _serve_options(function: Callable[..., None]) -> Callable[..., None]:
    options = [
        click.option("--host", default="127.0.0.1", show_default=True,
                     help="Address to listen on (loopback by default)."),
        click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535)),
        click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
                     help="Request threads of the waitress WSGI server."),
        click.option("--timeout", "query_timeout", type=click.FloatRange(0.1, 3600),
                     help="Seconds a SPARQL query may run (default 10)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command()
@_serve_options
@pass_settings
def serve(settings: Settings, host: str, port: int, threads: int,
          query_timeout: float | None) -> None:
    """Serve the SPARQL endpoint, workbench and web pages with waitress.

    The server owns the store while it runs. Updates at /sparql/update need
    RIGHTSGRAPH_UPDATE_TOKEN to be set; without it the endpoint is read-only.

    \b
    Example:
        rightsgraph --store ./data serve --port 8000
        RIGHTSGRAPH_UPDATE_TOKEN=secret rightsgraph serve --host 0.0.0.0
    """
    _run_server(settings, host, port, threads, query_timeout)


@cli.command()
@_serve_options
@pass_settings
def demo(settings: Settings, host: str, port: int, threads: int,
         query_timeout: float | None) -> None:
    """Load the bundled sample corpus into the store when it is empty, then serve.

    The corpus is a set of posts by Women Lead Network about the 2020-21
    Universal Periodic Review of the United States.

    \b
    Example:
        rightsgraph demo
        rightsgraph --store /tmp/demo demo --port 8080
    """
    from rightsgraph.loaders.sample import sample_corpus_path

    with settings.open_store() as store:
        loaded = [r for r in store.source_records() if r.loader != "ontology"]
        if not loaded:
            context = LoadContext(base=settings.base)
            outcomes = store_loaded(store, parse_paths([sample_corpus_path()], context))
            for outcome in outcomes:
                click.echo(f"loaded the sample corpus: {outcome.triples} triples")
    _run_server(settings, host, port, threads, query_timeout)


def _run_server(settings: Settings, host: str, port: int, threads: int,
                query_timeout: float | None) -> None:
    import waitress

    from rightsgraph.webui.app import create_app

    config: dict[str, object] = {"STORE": settings.store, "BASE": settings.base}
    if query_timeout is not None:
        config["QUERY_TIMEOUT"] = query_timeout
    app = create_app(config)
    click.echo(f"rightsgraph serving {settings.store} at http://{host}:{port}/ (Ctrl+C stops)")
    from rightsgraph.graph.remote import is_remote_location
    from rightsgraph.webui.admin import announce

    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if is_remote_location(settings.store):  # nothing to announce: the app owns no store
        waitress.serve(app, host=host, port=port, threads=threads, ident="rightsgraph",
                       _quiet=True)
        return
    announced = announce(settings.store, f"http://{local}:{port}/")
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="rightsgraph",
                       _quiet=True)
    finally:
        announced.unlink(missing_ok=True)


def _explain_lock(location: str, error: StoreLockedError) -> StoreLockedError:
    """Say which server owns the store and how to work with it, when one does."""
    from rightsgraph.webui.admin import running_server

    server = running_server(location)
    if server is None:
        return error
    url, pid = server
    return StoreLockedError(
        f"the store at {location} is in use by `rightsgraph serve` (process {pid}, {url}). "
        f"Stop the server (Ctrl+C in its terminal, or `kill {pid}`), run this command again, "
        f"then start the server again; or, while it runs, send queries to {url}sparql and "
        f"changes to {url}sparql/update (SPARQL updates with its update token); "
        "`rightsgraph backup` asks the server to take the backup"
    )


# ---------------------------------------------------------------- helpers


def _query_text(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    path = Path(argument)
    looks_like_file = "\n" not in argument and len(argument) < 4096
    if looks_like_file and path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RightsgraphError(f"cannot read query file: {exc}") from None
    return argument


@contextmanager
def _progress(items: Sequence[object], label: str) -> Iterator[Callable[[str], None]]:
    """Yield a callback that advances a progress bar on standard error."""
    if len(items) < 2 or not sys.stderr.isatty():
        yield lambda _name: None
        return
    with click.progressbar(length=len(items), label=label, file=sys.stderr,
                           item_show_func=lambda name: name) as bar:
        current: list[str] = []  # the item being worked on

        def step(name: str) -> None:
            if current:
                bar.update(1)
            current[:] = [name]
            bar.update(0, name)

        yield step
        bar.update(1)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script: no traceback reaches the user."""
    try:
        code = cli.main(args=argv, prog_name="rightsgraph", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("rightsgraph: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except RightsgraphError as exc:
        click.echo(f"rightsgraph: error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # the last line of defence: one line, no trace
        if os.environ.get("RIGHTSGRAPH_DEBUG"):
            raise
        click.echo(
            f"rightsgraph: internal error: {type(exc).__name__}: {exc} "
            "(set RIGHTSGRAPH_DEBUG=1 to see details)",
            err=True,
        )
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
